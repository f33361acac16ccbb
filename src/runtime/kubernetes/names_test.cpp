#include "runtime/kubernetes/names.h"

#include <gtest/gtest.h>

namespace ballast::runtime::kubernetes::names {
namespace {

TEST(Names, FitKeepsShortNamesAndHashesLongOnes) {
  EXPECT_EQ(fit("acme", "web"), "acme-web");
  EXPECT_EQ(fit("acme", ""), "acme");
  const std::string long_tenant(60, 'a');
  const std::string web = fit(long_tenant, "web");
  const std::string websocket = fit(long_tenant, "websocket");
  EXPECT_EQ(web.size(), kLabelMax);
  EXPECT_LE(websocket.size(), kLabelMax);
  EXPECT_TRUE(web.ends_with("-web"));
  EXPECT_TRUE(websocket.ends_with("-websocket"));
  EXPECT_EQ(fit(long_tenant, "web"), web);  // stable
  EXPECT_NE(fit(long_tenant + "b", "web"), fit(long_tenant + "c", "web"));
  EXPECT_LE(fit(long_tenant, "backup", kCronJobMax).size(), kCronJobMax);
}

TEST(Names, ServicesStartWithALetter) {
  EXPECT_EQ(service("acme", "web"), "acme-web");
  EXPECT_EQ(service("9lives", "web"), "t9lives-web");
}

}  // namespace
}  // namespace ballast::runtime::kubernetes::names
