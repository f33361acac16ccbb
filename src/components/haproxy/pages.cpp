// The pages HAProxy answers with itself, as complete HTTP responses (for errorfile) or bodies.
#include <fmt/format.h>

#include "components/haproxy/config.h"

namespace ballast::components::haproxy {
namespace {

std::string page(const std::string& title, const std::string& text) {
  return fmt::format(
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title>"
      "<style>body{{font-family:system-ui,sans-serif;margin:15vh auto;max-width:36em;"
      "color:#222}}h1{{font-size:1.4em}}</style></head><body><h1>{0}</h1><p>{1}</p>"
      "<p><small>Served by Ballast</small></p></body></html>\n",
      title, text);
}

std::string response(int status, const std::string& reason, const std::string& body) {
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
      "Connection: close\r\nContent-Length: {}\r\n\r\n{}",
      status, reason, body.size(), body);
}

}  // namespace

std::map<std::string, std::string> render_pages() {
  return {
      {"unknown-host.html", page("Unknown site", "No application is served under this name.")},
      {"suspended.html", page("Service suspended",
                              "This application is suspended. Its data is kept safe; contact "
                              "your provider to restore service.")},
      {"not-deployed.html", page("Application not deployed",
                                 "This tenant exists but its application is not running yet.")},
      {"maintenance.html", page("Maintenance in progress",
                                "This application is being upgraded and will be back shortly.")},
      {"rate-limited.html", page("Too many requests", "Please slow down and try again shortly.")},
      {"database-manager.html", page("Forbidden", "The database manager is disabled.")},
      {"unavailable.http", response(503, "Service Unavailable",
                                    page("Temporarily unavailable",
                                         "The application is not answering; retry in a "
                                         "moment."))},
  };
}

}  // namespace ballast::components::haproxy
