#include "monitor/journeys.h"

#include <chrono>
#include <functional>

#include <fmt/format.h>

namespace ballast::monitor {

namespace od = components::odoo;
using nlohmann::json;

namespace {

constexpr std::string_view kProject = "Ballast synthetic checks";
constexpr std::string_view kCustomer = "Ballast synthetic customer";
constexpr double kHours = 0.25;
constexpr double kQuantity = 2;
constexpr double kUnitPrice = 125;

// Runs the steps of one journey, timing each; after a failed step the rest are not tried.
class Journey {
 public:
  explicit Journey(std::string name) { result_.journey = std::move(name); }
  bool step(const std::string& name, const std::function<core::Status()>& run) {
    if (failed_) return false;
    const auto started = std::chrono::steady_clock::now();
    auto status = run();
    StepResult s{name, status.has_value(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                 status.has_value() ? "" : status.error().to_string()};
    failed_ = !s.ok;
    result_.steps.push_back(std::move(s));
    return !failed_;
  }
  void fail(const std::string& step, const std::string& why) {
    result_.steps.push_back({step, false, 0, why});
    failed_ = true;
  }
  [[nodiscard]] std::string error() const { return result_.error(); }
  JourneyResult done() {
    result_.ok = !failed_ && !result_.steps.empty();
    return std::move(result_);
  }

 private:
  JourneyResult result_;
  bool failed_ = false;
};

core::Error unexpected(std::string_view what, const json& got) {
  return core::make_error(core::ErrorCode::kPreconditionFailed, "{}: Odoo answered {}", what,
                          got.dump().substr(0, 200));
}

core::Result<int> find_one(od::RpcClient& rpc, const std::string& model, json domain) {
  BALLAST_ASSIGN_OR_RETURN(
      auto ids, rpc.call(model, "search", json::array({std::move(domain)}), {{"limit", 1}}));
  if (!ids.is_array()) return unexpected("search " + model, ids);
  return ids.empty() ? 0 : ids[0].get<int>();
}

core::Result<int> create(od::RpcClient& rpc, const std::string& model, json values) {
  BALLAST_ASSIGN_OR_RETURN(auto id, rpc.call(model, "create", json::array({std::move(values)})));
  if (id.is_array() && id.size() == 1) id = id[0];
  if (!id.is_number_integer()) return unexpected("create " + model, id);
  return id.get<int>();
}

core::Status gone(od::RpcClient& rpc, const std::string& model, int id) {
  BALLAST_ASSIGN_OR_RETURN(
      auto n,
      rpc.call(model, "search_count", json::array({json::array({json::array({"id", "=", id})})})));
  if (n != 0) return unexpected(model + " " + std::to_string(id) + " still there", n);
  return core::ok();
}

bool model_missing(const core::Error& error) {
  return error.message().find("doesn't exist") != std::string::npos;
}

std::string stamp() {
  return fmt::format("{} {}", kTag,
                     std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
}

JourneyResult login(od::RpcClient& rpc, const JourneyTarget& t) {
  Journey j("login");
  j.step("authenticate", [&] { return rpc.authenticate(t.database, t.login, t.password); });
  j.step("home", [&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(auto page, rpc.get("/odoo"));
    if (page.status != 200) {
      return core::make_error(core::ErrorCode::kUnavailable, "/odoo answered {}{} after login{}",
                              page.status, page.location.empty() ? "" : " to " + page.location,
                              rpc.has_session() ? "" : " (Odoo set no session cookie)");
    }
    return core::ok();
  });
  return j.done();
}

JourneyResult timesheet(od::RpcClient& rpc) {
  Journey j("timesheet");
  int project = 0;
  int line = 0;
  const std::string name = stamp() + " timesheet";
  // Leftovers of an interrupted run go first (not a step: a failure here is not the user's).
  if (auto old = rpc.call(
          "account.analytic.line", "search",
          json::array({json::array({json::array({"name", "=like", std::string(kTag) + "%"})})}));
      old.has_value() && old->is_array() && !old->empty()) {
    (void)rpc.call("account.analytic.line", "unlink", json::array({*old}));
  }
  j.step("project", [&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(
        project,
        find_one(rpc, "project.project", json::array({json::array({"name", "=", kProject})})));
    if (project == 0) {
      return core::make_error(core::ErrorCode::kNotFound, "the synthetic project '{}' is missing",
                              kProject);
    }
    return core::ok();
  });
  j.step("create", [&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(
        line, create(rpc, "account.analytic.line",
                     {{"name", name}, {"project_id", project}, {"unit_amount", kHours}}));
    return core::ok();
  });
  j.step("read", [&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(
        auto rows,
        rpc.call("account.analytic.line", "read",
                 json::array({json::array({line}), json::array({"name", "unit_amount"})})));
    if (!rows.is_array() || rows.size() != 1 || rows[0].value("name", "") != name ||
        rows[0].value("unit_amount", 0.0) != kHours) {
      return unexpected("the timesheet line read back differs", rows);
    }
    return core::ok();
  });
  j.step("delete", [&]() -> core::Status {
    BALLAST_TRY(rpc.call("account.analytic.line", "unlink", json::array({json::array({line})}))
                    .and_then([](const json&) { return core::ok(); }));
    return gone(rpc, "account.analytic.line", line);
  });
  return j.done();
}

}  // namespace

double JourneyResult::seconds() const {
  double total = 0;
  for (const auto& s : steps) total += s.seconds;
  return total;
}

std::string JourneyResult::error() const {
  for (const auto& s : steps) {
    if (!s.ok) return s.step + ": " + s.error;
  }
  return "";
}

std::vector<JourneyResult> run_journeys(const JourneyTarget& t) {
  od::RpcClient rpc(t.endpoint);
  std::vector<JourneyResult> results;
  results.push_back(login(rpc, t));
  if (!results.back().ok) {
    const std::string why = "not logged in: " + results.back().error();
    for (auto name : {"timesheet", "invoice", "report"}) {
      Journey j(name);
      j.fail("login", why);
      results.push_back(j.done());
    }
    return results;
  }
  results.push_back(timesheet(rpc));

  Journey invoice("invoice");
  int partner = 0;
  int move = 0;
  const std::string line_name = stamp() + " consulting";
  invoice.step("customer", [&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(
        partner,
        find_one(rpc, "res.partner", json::array({json::array({"name", "=", kCustomer})})));
    if (partner == 0) {
      return core::make_error(core::ErrorCode::kNotFound, "the synthetic customer '{}' is missing",
                              kCustomer);
    }
    if (t.copy) return core::ok();
    // Drafts left by an interrupted run.
    auto old = rpc.call("account.move", "search",
                        json::array({json::array({json::array({"partner_id", "=", partner}),
                                                  json::array({"state", "=", "draft"})})}));
    if (old.has_value() && old->is_array() && !old->empty())
      (void)rpc.call("account.move", "unlink", json::array({*old}));
    return core::ok();
  });
  invoice.step("create", [&]() -> core::Status {
    json line = {{"name", line_name}, {"quantity", kQuantity}, {"price_unit", kUnitPrice}};
    BALLAST_ASSIGN_OR_RETURN(
        move, create(rpc, "account.move",
                     {{"move_type", "out_invoice"},
                      {"partner_id", partner},
                      {"invoice_line_ids", json::array({json::array({0, 0, line})})}}));
    return core::ok();
  });
  invoice.step("read", [&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(
        auto rows,
        rpc.call("account.move", "read",
                 json::array({json::array({move}), json::array({"state", "amount_total"})})));
    // Taxes may add to the total on a real chart of accounts; never less than the lines.
    if (!rows.is_array() || rows.size() != 1 || rows[0].value("state", "") != "draft" ||
        rows[0].value("amount_total", 0.0) < kQuantity * kUnitPrice) {
      return unexpected("the draft invoice read back differs", rows);
    }
    return core::ok();
  });
  if (t.copy) {
    invoice.step("post", [&]() -> core::Status {
      BALLAST_TRY(rpc.call("account.move", "action_post", json::array({json::array({move})}))
                      .and_then([](const json&) { return core::ok(); }));
      BALLAST_ASSIGN_OR_RETURN(
          auto rows, rpc.call("account.move", "read",
                              json::array({json::array({move}), json::array({"name", "state"})})));
      if (!rows.is_array() || rows.size() != 1 || rows[0].value("state", "") != "posted" ||
          rows[0].value("name", "/") == "/") {
        return unexpected("the posted invoice has no number", rows);
      }
      return core::ok();
    });
  }

  Journey report("report");
  if (move == 0) {
    report.fail("invoice", "no invoice to render: " + invoice.error());
  } else {
    report.step("render", [&]() -> core::Status {
      BALLAST_ASSIGN_OR_RETURN(auto page,
                               rpc.get(fmt::format("/report/pdf/account.report_invoice/{}", move)));
      if (page.status != 200 || page.content_type.find("application/pdf") == std::string::npos ||
          page.body.rfind("%PDF-", 0) != 0) {
        return core::make_error(core::ErrorCode::kPreconditionFailed,
                                "the invoice PDF did not render: HTTP {}, {} bytes of {}",
                                page.status, page.body.size(), page.content_type);
      }
      return core::ok();
    });
  }
  if (!t.copy && move != 0) {
    // The draft goes, so production keeps no trace and no number was consumed.
    invoice.step("delete", [&]() -> core::Status {
      BALLAST_TRY(rpc.call("account.move", "unlink", json::array({json::array({move})}))
                      .and_then([](const json&) { return core::ok(); }));
      return gone(rpc, "account.move", move);
    });
  }
  results.push_back(invoice.done());
  results.push_back(report.done());
  return results;
}

core::Status ensure_synthetic_user(const od::Endpoint& endpoint, const std::string& database,
                                   const core::Secret& admin_password,
                                   const core::Secret& password) {
  od::RpcClient rpc(endpoint);
  BALLAST_TRY(rpc.authenticate(database, "admin", admin_password));
  const std::string login(kSyntheticLogin);
  BALLAST_ASSIGN_OR_RETURN(
      int uid, find_one(rpc, "res.users",
                        json::array({json::array({"login", "=", login}),
                                     json::array({"active", "in", json::array({true, false})})})));
  if (uid == 0) {
    BALLAST_ASSIGN_OR_RETURN(uid, create(rpc, "res.users",
                                         {{"login", login},
                                          {"name", std::string(kProject)},
                                          {"password", password.reveal()}}));
  } else {
    BALLAST_TRY(rpc.call("res.users", "write",
                         json::array({json::array({uid}),
                                      {{"password", password.reveal()}, {"active", true}}}))
                    .and_then([](const json&) { return core::ok(); }));
  }
  // Each record exists only when its module is installed; a tenant without timesheets simply
  // has no timesheet journey to pass.
  auto ensure = [&](const std::string& model, json domain, json values) -> core::Status {
    auto found = find_one(rpc, model, std::move(domain));
    if (!found.has_value())
      return model_missing(found.error()) ? core::ok() : core::Status(found.error());
    if (*found != 0) return core::ok();
    return create(rpc, model, std::move(values)).and_then([](int) { return core::ok(); });
  };
  BALLAST_TRY(ensure("hr.employee", json::array({json::array({"user_id", "=", uid})}),
                     {{"name", std::string(kProject)}, {"user_id", uid}}));
  BALLAST_TRY(ensure("res.partner", json::array({json::array({"name", "=", kCustomer})}),
                     {{"name", std::string(kCustomer)}}));
  BALLAST_TRY(ensure("project.project", json::array({json::array({"name", "=", kProject})}),
                     {{"name", std::string(kProject)}}));
  return core::ok();
}

json to_json(const JourneyResult& journey) {
  json steps = json::array();
  for (const auto& s : journey.steps) {
    json step = {{"step", s.step}, {"ok", s.ok}, {"seconds", s.seconds}};
    if (!s.ok) step["error"] = s.error;
    steps.push_back(step);
  }
  json out = {{"journey", journey.journey},
              {"ok", journey.ok},
              {"seconds", journey.seconds()},
              {"steps", steps}};
  if (!journey.ok) out["error"] = journey.error();
  return out;
}

}  // namespace ballast::monitor
