// Fuzz target for request validation and screening on raw protobuf bytes: the
// input is parsed as a fraudgate.v1.ScreenTransferRequest (unparsable bytes
// are skipped) and screened by service::Screener against a real store, opened
// once in a temp dir and seeded with a few listed identifiers (one delisted).
// Invariants: Screen() never crashes and returns OK, INVALID_ARGUMENT
// "<field>: <what>" or RESOURCE_EXHAUSTED, never anything else (the store is
// healthy, so not even UNAVAILABLE); an OK answer has a score in 0..100, the
// decision the default thresholds give for it, a hit id and the list version
// of the seeded store.
#include <stdlib.h>  // mkdtemp

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "service/report_service.h"
#include "service/screener.h"
#include "store/store.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace v1 = fraudgate::v1;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01

void AddIdentifier(v1::Report& r, v1::IdentifierKind kind,
                   const std::string& issuer, const std::string& value) {
  v1::Identifier* id = r.add_identifiers();
  id->set_kind(kind);
  id->set_issuer(issuer);
  id->set_value(value);
}

// A store in a fresh temp dir ($TMPDIR or /tmp), removed again at a normal
// exit (a crashed run leaves it behind).
class SeededStore {
 public:
  SeededStore() {
    std::string dir =
        (std::filesystem::temp_directory_path() / "fraudgate-fuzz-XXXXXX")
            .string();
    FUZZ_CHECK(mkdtemp(dir.data()) != nullptr) << "mkdtemp " << dir;
    dir_ = dir;
    fraudgate::store::StoreOptions options;
    options.path = dir_ + "/db";
    options.block_cache_bytes = size_t{8} << 20;
    auto store = fraudgate::store::Store::Open(options);
    FUZZ_CHECK(store.ok()) << store.status();
    store_ = *std::move(store);

    v1::Report deepfake;
    deepfake.set_report_id("KT-2024-1205");
    deepfake.set_agency("PA05-CA Kon Tum");
    deepfake.set_category(v1::EXTORTION_DEEPFAKE);
    deepfake.set_confidence(v1::CONFIRMED);
    AddIdentifier(deepfake, v1::BANK_ACCOUNT, "970436", "0071001234567");
    AddIdentifier(deepfake, v1::PHONE, "", "0162 912 3456");
    AddIdentifier(deepfake, v1::CHAT_HANDLE, "ZALO",
                  "https://zalo.me/0901234567");
    AddIdentifier(deepfake, v1::CHAT_HANDLE, "TELEGRAM", "@clipnong_demo");
    AddIdentifier(deepfake, v1::EWALLET, "MOMO", "0967 112 233");
    v1::Report scam;
    scam.set_report_id("A05-2025-1102");
    scam.set_agency("A05-BCA");
    scam.set_category(v1::INVESTMENT_SCAM);
    scam.set_confidence(v1::SUSPECTED);
    AddIdentifier(scam, v1::BANK_ACCOUNT, "*", "88881234");
    AddIdentifier(scam, v1::PHONE, "", "+84 70 123 4567");
    for (const v1::Report* r : {&deepfake, &scam}) {
      auto normalized = fraudgate::service::NormalizeReport(
          *r, kNow - absl::Hours(24 * 30), {});
      FUZZ_CHECK(normalized.ok()) << normalized.status();
      auto applied = store_->blocklist().ApplyReport(*normalized, "fuzz", kNow);
      FUZZ_CHECK(applied.ok() && applied->status.ok()) << "seeding failed";
    }
    v1::Identifier phone;
    phone.set_kind(v1::PHONE);
    phone.set_value("+84701234567");
    auto delisted =
        store_->blocklist().Delist(phone, "fuzz", "fuzz", "fuzz", kNow);
    FUZZ_CHECK(delisted.ok()) << delisted.status();
  }
  ~SeededStore() {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  fraudgate::store::Store* get() { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<fraudgate::store::Store> store_;
};

fraudgate::service::ScreenerOptions ScreenerOptions() {
  fraudgate::service::ScreenerOptions options;
  options.clock = [] { return kNow; };
  return options;
}

v1::Decision DecisionFor(int score) {
  const fraudgate::core::ScoringOptions defaults;
  if (score >= defaults.block_threshold) return v1::DECISION_BLOCK;
  if (score >= defaults.hold_threshold) return v1::DECISION_HOLD;
  if (score >= defaults.warn_threshold) return v1::DECISION_WARN;
  return v1::DECISION_ALLOW;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Destroyed at exit in reverse order: the screener, then the store.
  static SeededStore store;
  static fraudgate::service::Screener screener(store.get(), ScreenerOptions());

  v1::ScreenTransferRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  const auto response = screener.Screen("fuzz", request);
  if (!response.ok()) {
    const absl::Status& s = response.status();
    FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument ||
               s.code() == absl::StatusCode::kResourceExhausted)
        << s;
    if (s.code() == absl::StatusCode::kInvalidArgument) {
      const size_t colon = s.message().find(": ");
      FUZZ_CHECK(colon != absl::string_view::npos && colon > 0 &&
                 colon + 2 < s.message().size())
          << "error does not name a field: " << s;
    }
    return 0;
  }
  FUZZ_CHECK(response->score() >= 0 && response->score() <= 100)
      << response->score();
  FUZZ_CHECK(response->decision() == DecisionFor(response->score()))
      << v1::Decision_Name(response->decision()) << " for score "
      << response->score();
  FUZZ_CHECK(!response->hit_id().empty()) << "no hit id";
  FUZZ_CHECK(response->list_version() ==
             store.get()->blocklist().list_version())
      << response->list_version();
  return 0;
}
