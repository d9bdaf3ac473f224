// Fuzz target for report validation on raw protobuf bytes: the input is parsed
// as a fraudgate.v1.Report (unparsable bytes are skipped) and checked by
// service::NormalizeReport.
// Invariants: it never crashes; an error is INVALID_ARGUMENT "<field>: <what>"
// with both parts non-empty; a normalized report has 1..1000 distinct
// canonical identifiers (each normalizes to itself), a reported_at, an
// expires_at (if any) after reported_at, and normalizing it again gives it
// back unchanged (idempotence).
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "proto/proto_time.h"
#include "service/convert.h"
#include "service/report_service.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace v1 = fraudgate::v1;
using fraudgate::service::NormalizeReport;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01

fraudgate::service::ReportOptions Options() {
  fraudgate::service::ReportOptions options;
  options.default_lifetime[v1::SHOPPING_SCAM] = absl::Hours(24 * 180);
  options.default_lifetime[v1::OTHER] = absl::Hours(24 * 365);
  return options;
}

void CheckError(const absl::Status& s) {
  FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument) << s;
  const size_t colon = s.message().find(": ");
  FUZZ_CHECK(colon != absl::string_view::npos && colon > 0 &&
             colon + 2 < s.message().size())
      << "error does not name a field: " << s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fraudgate::service::ReportOptions options = Options();
  v1::Report report;
  if (!report.ParseFromArray(data, static_cast<int>(size))) return 0;
  const auto out = NormalizeReport(report, kNow, options);
  if (!out.ok()) {
    CheckError(out.status());
    return 0;
  }
  const int n = out->identifiers_size();
  FUZZ_CHECK(n >= 1 && n <= fraudgate::service::kMaxIdentifiersPerReport) << n;
  for (int i = 0; i < n; ++i) {
    const v1::Identifier& id = out->identifiers(i);
    const auto again = fraudgate::service::NormalizeProto(id, "identifier");
    FUZZ_CHECK(again.ok()) << id.ShortDebugString() << " -> " << again.status();
    FUZZ_CHECK(fraudgate::service::ToProto(*again).SerializeAsString() ==
               id.SerializeAsString())
        << id.ShortDebugString() << " is not canonical";
    for (int j = 0; j < i; ++j) {
      FUZZ_CHECK(out->identifiers(j).SerializeAsString() !=
                 id.SerializeAsString())
          << "duplicate " << id.ShortDebugString();
    }
  }
  FUZZ_CHECK(out->has_reported_at()) << "no reported_at";
  if (out->has_expires_at()) {
    FUZZ_CHECK(fraudgate::FromProtoTime(out->expires_at()) >
               fraudgate::FromProtoTime(out->reported_at()))
        << out->ShortDebugString();
  }
  const auto twice = NormalizeReport(*out, kNow, options);
  FUZZ_CHECK(twice.ok()) << out->ShortDebugString() << " -> " << twice.status();
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(*twice, *out))
      << out->ShortDebugString() << " -> " << twice->ShortDebugString();
  return 0;
}
