#include "components/odoo/password.h"

#include <gtest/gtest.h>

namespace ballast::components::odoo {
namespace {

TEST(OdooPassword, MatchesPasslibFormat) {
  // A hash made by passlib 1.7 (pbkdf2_sha512.using(rounds=1000).hash("admin")).
  const std::string passlib =
      "$pbkdf2-sha512$1000$m/"
      "PeW2stRUjpvZdyzjlnTA$DlP6TQQiW35JEDnUiwCXswAvknLkQC3V8LqX0VX6hVGR8mtmz2D4"
      "V0EHjuES5ELDMqk240kkKwPK6j5qGqbWJQ";
  EXPECT_TRUE(verify_password(core::Secret("admin"), passlib));
  EXPECT_FALSE(verify_password(core::Secret("Admin"), passlib));
}

TEST(OdooPassword, RoundTripsAndRejectsOtherFormats) {
  const auto hash = hash_password(core::Secret("s3cret"), 1000);
  EXPECT_EQ(hash.rfind("$pbkdf2-sha512$1000$", 0), 0U);
  EXPECT_EQ(hash.find('+'), std::string::npos);
  EXPECT_EQ(hash.find('='), std::string::npos);
  EXPECT_TRUE(verify_password(core::Secret("s3cret"), hash));
  EXPECT_FALSE(verify_password(core::Secret("s3cret"), "plain"));
  EXPECT_FALSE(verify_password(core::Secret("s3cret"), "$pbkdf2-sha256$1000$a$b"));
}

}  // namespace
}  // namespace ballast::components::odoo
