// Configuration: defaults, every section, environment overrides, precise errors.
#include "ingest/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "testutil.h"

namespace vivalink::ingest {
namespace {

using core::StatusCode;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v :
         {"VIVALINK_CLIENT_SECRET", "VIVALINK_CLIENT_ID", "VIVALINK_STORE_URL",
          "VIVALINK_DATABASE_URL", "VIVALINK_WEBHOOK_SECRET", "VIVALINK_EVENTS_KEY"}) {
      ::unsetenv(v);
    }
  }
  void TearDown() override { SetUp(); }
};

TEST_F(ConfigTest, NoFileGivesEmbeddedDefaultsUnderVivalinkData) {
  auto c = LoadConfig("");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->database_url, "sqlite://./vivalink-data/vivalink.db");
  EXPECT_EQ(c->store_url, "file://./vivalink-data/drops");
  EXPECT_EQ(c->keystore_dir, "./vivalink-data/keys");
  EXPECT_EQ(c->max_attempts, 3);
  EXPECT_EQ(c->retention_days, 0);
  EXPECT_TRUE(c->store_all_metrics);
  EXPECT_TRUE(c->store_all_attributes);
  EXPECT_FALSE(c->pseudonymise);
  EXPECT_EQ(c->poll_interval, std::chrono::seconds(300));
  EXPECT_EQ(c->lookback, std::chrono::hours(24 * 14));
}

TEST_F(ConfigTest, ParsesEverySection) {
  auto c = ParseConfig(R"(
data_dir = "/srv/vl"
[storage]
url = "https://acct.blob.core.windows.net/tenant?sv=1&sig=SECRETSIG"
[keys]
keystore = "/srv/keys"
api_base_url = "http://127.0.0.1:9000"
authority = "http://127.0.0.1:9000"
client_id = "app-1"
client_secret = "s3cret"
[database]
url = "postgresql://vl@db/vl"
[ingest]
poll_interval_seconds = 60
lookback_hours = 48
max_attempts = 5
retention_days = 7
store_metrics = ["Collaboration_hours"]
store_attributes = []
pseudonymise = true
[partner]
path = "crm.csv"
key_column = "Email"
key_type = "object_id"
[log]
level = "debug"
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->data_dir, "/srv/vl");
  EXPECT_EQ(c->keystore_dir, "/srv/keys");
  EXPECT_EQ(c->database_url, "postgresql://vl@db/vl");
  EXPECT_EQ(c->keys.client_id, "app-1");
  EXPECT_EQ(std::string(c->keys.client_secret.begin(), c->keys.client_secret.end()), "s3cret");
  EXPECT_EQ(c->poll_interval, std::chrono::seconds(60));
  EXPECT_EQ(c->lookback, std::chrono::hours(48));
  EXPECT_EQ(c->max_attempts, 5);
  EXPECT_EQ(c->retention_days, 7);
  EXPECT_FALSE(c->store_all_metrics);
  EXPECT_EQ(c->store_metrics, std::vector<std::string>{"Collaboration_hours"});
  EXPECT_FALSE(c->store_all_attributes);
  EXPECT_TRUE(c->store_attributes.empty());
  EXPECT_TRUE(c->pseudonymise);
  EXPECT_EQ(c->partner.key_type, identity::KeyType::kObjectId);
  EXPECT_EQ(c->partner.key_column, "Email");
  // Defaults derived from data_dir when unset.
  auto d = ParseConfig("data_dir = \"/x\"\n");
  EXPECT_EQ(d->database_url, "sqlite:///x/vivalink.db");
  // Secrets never appear in Describe().
  std::string text = c->Describe();
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_EQ(text.find("SECRETSIG"), std::string::npos) << text;
  EXPECT_NE(text.find("client_secret = \"***\""), std::string::npos);
}

TEST_F(ConfigTest, EnvironmentOverridesTheFile) {
  ::setenv("VIVALINK_CLIENT_SECRET", "from-env", 1);
  ::setenv("VIVALINK_DATABASE_URL", "sqlite:///tmp/x.db", 1);
  auto c = ParseConfig("[keys]\nclient_secret = \"from-file\"\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(std::string(c->keys.client_secret.begin(), c->keys.client_secret.end()), "from-env");
  EXPECT_EQ(c->database_url, "sqlite:///tmp/x.db");
}

TEST_F(ConfigTest, UnknownKeysAndSectionsAreRefusedWithTheirLine) {
  auto c = ParseConfig("[ingest]\nmax_attempt = 3\n", "vl.toml");
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("vl.toml:2: ingest.max_attempt"), std::string::npos)
      << c.status().message();
  EXPECT_EQ(ParseConfig("[ingestion]\n").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ConfigTest, WrongTypesAndRangesAreRefused) {
  EXPECT_EQ(ParseConfig("[ingest]\nmax_attempts = \"3\"\n").status().code(),
            StatusCode::kInvalidArgument);
  auto c = ParseConfig("[ingest]\nmax_attempts = 0\n");
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("between 1 and 1000"), std::string::npos);
  EXPECT_EQ(ParseConfig("[partner]\nkey_type = \"upn\"\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseConfig("[ingest]\nstore_metrics = [1]\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseConfig("[ingest\n").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ConfigTest, PushSectionParsesAndItsSecretsStayMasked) {
  auto c = ParseConfig(R"([storage]
url = "https://acct.blob.core.windows.net/drops?sv=1&sig=abc"
[push]
listen = "127.0.0.1:8787"
webhook_secret = "hook-secret"
events = false
events_key = "ev-key"
container = "drops"
max_body_bytes = 65536
request_timeout_seconds = 5
queue_url = "https://acct.queue.core.windows.net/notes?sv=1&sig=qsig"
queue_visibility_seconds = 90
max_dequeue_count = 4
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->push.listen, "127.0.0.1:8787");
  EXPECT_EQ(std::string(c->push.webhook_secret.begin(), c->push.webhook_secret.end()),
            "hook-secret");
  EXPECT_FALSE(c->push.events);
  EXPECT_EQ(c->push.container, "drops");
  EXPECT_EQ(c->push.max_body_bytes, 65536);
  EXPECT_EQ(c->push.request_timeout_seconds, 5);
  EXPECT_EQ(c->push.queue_visibility_seconds, 90);
  EXPECT_EQ(c->push.max_dequeue_count, 4);
  const std::string described = c->Describe();
  for (const char* secret : {"hook-secret", "ev-key", "qsig", "sig=abc"}) {
    EXPECT_EQ(described.find(secret), std::string::npos) << secret << " in\n" << described;
  }
  EXPECT_NE(described.find("listen = \"127.0.0.1:8787\""), std::string::npos) << described;
}

TEST_F(ConfigTest, PushSecretsComeFromTheEnvironment) {
  ::setenv("VIVALINK_WEBHOOK_SECRET", "env-hook", 1);
  ::setenv("VIVALINK_EVENTS_KEY", "env-key", 1);
  auto c = ParseConfig("[push]\nwebhook_secret = \"file-hook\"\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(std::string(c->push.webhook_secret.begin(), c->push.webhook_secret.end()), "env-hook");
  EXPECT_EQ(std::string(c->push.events_key.begin(), c->push.events_key.end()), "env-key");
}

TEST_F(ConfigTest, PushAuthenticationAndLimitsParse) {
  auto d = ParseConfig("");
  ASSERT_TRUE(d.ok());
  // Secure defaults: events need a key, /metrics on loopback, limits on.
  EXPECT_FALSE(d->push.events_unauthenticated);
  EXPECT_EQ(d->push.admin_listen, "127.0.0.1:0");
  EXPECT_TRUE(d->push.entra_audiences.empty());
  EXPECT_TRUE(d->push.tenant_keys);
  EXPECT_GT(d->push.request_deadline_seconds, 0);
  auto c = ParseConfig(R"([push]
entra_audiences = ["api://vivalink-partner", "11111111-2222-3333-4444-555555555555"]
entra_authority = "http://127.0.0.1:9999"
tenant_keys = false
events_unauthenticated = true
admin_listen = "127.0.0.1:9464"
request_deadline_seconds = 12
max_connections_per_source = 3
hints_per_second_per_source = 7
hint_burst_per_source = 70
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(
      c->push.entra_audiences,
      (std::vector<std::string>{"api://vivalink-partner", "11111111-2222-3333-4444-555555555555"}));
  EXPECT_EQ(c->push.entra_authority, "http://127.0.0.1:9999");
  EXPECT_FALSE(c->push.tenant_keys);
  EXPECT_TRUE(c->push.events_unauthenticated);
  EXPECT_EQ(c->push.admin_listen, "127.0.0.1:9464");
  EXPECT_EQ(c->push.request_deadline_seconds, 12);
  EXPECT_EQ(c->push.max_connections_per_source, 3);
  EXPECT_EQ(c->push.hints_per_second_per_source, 7);
  EXPECT_EQ(c->push.hint_burst_per_source, 70);
  EXPECT_NE(c->Describe().find("admin_listen = \"127.0.0.1:9464\""), std::string::npos);
  auto bad = ParseConfig("[push]\nadmin_listen = \"9464\"\n", "vl.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("push.admin_listen"), std::string::npos);
  EXPECT_EQ(ParseConfig("[push]\nentra_audiences = \"api://x\"\n").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ConfigTest, BadPushValuesAreRefusedWithTheKey) {
  auto c = ParseConfig("[push]\nlisten = \"8787\"\n", "vl.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("push.listen"), std::string::npos) << c.status().ToString();
  EXPECT_EQ(ParseConfig("[push]\nmax_dequeue_count = 0\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseConfig("[push]\nqueue = \"x\"\n").status().code(), StatusCode::kInvalidArgument);
}

// Issue 10 item 9: `config show` printed a PostgreSQL URL's password.
TEST_F(ConfigTest, DescribeRemovesTheDatabasePassword) {
  Config c = DefaultConfig();
  for (const char* url : {"postgresql://vivalink:hunter2-SENTINEL@db.example:5432/vivalink",
                          "postgres://db.example/vivalink?user=v&password=hunter2-SENTINEL",
                          "postgresql://vivalink:hunter2-SENTINEL@"}) {
    c.database_url = url;
    std::string text = c.Describe();
    EXPECT_EQ(text.find("SENTINEL"), std::string::npos) << text;
    EXPECT_NE(text.find("[database]"), std::string::npos);
  }
  c.database_url = "postgresql://vivalink@db.example:5432/vivalink";
  EXPECT_NE(c.Describe().find("postgresql://vivalink@db.example:5432/vivalink"), std::string::npos);
}

TEST_F(ConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadConfig("/nonexistent/vivalink.toml").status().code(), StatusCode::kNotFound);
}

TEST_F(ConfigTest, ExampleFileParsesToTheDefaults) {
  auto c = LoadConfig(testutil::SourceDir() / "docs/vivalink.example.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Config d = DefaultConfig();
  EXPECT_EQ(c->database_url, d.database_url);
  EXPECT_EQ(c->max_attempts, d.max_attempts);
  EXPECT_EQ(c->retention_days, d.retention_days);
  EXPECT_EQ(c->poll_interval, d.poll_interval);
  EXPECT_EQ(c->lookback, d.lookback);
  EXPECT_EQ(c->store_all_metrics, d.store_all_metrics);
  EXPECT_EQ(c->push.listen, d.push.listen);
  EXPECT_EQ(c->push.events, d.push.events);
  EXPECT_EQ(c->push.max_body_bytes, d.push.max_body_bytes);
  EXPECT_EQ(c->push.queue_visibility_seconds, d.push.queue_visibility_seconds);
  EXPECT_EQ(c->push.max_dequeue_count, d.push.max_dequeue_count);
}

}  // namespace
}  // namespace vivalink::ingest
