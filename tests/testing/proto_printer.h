// gtest prints fraudgate.v1 messages as one-line text. Declaring PrintTo for
// them also keeps gtest's generic protobuf printer, which trips a GCC 12
// -Wrestrict false positive, out of the build. Include it in every test that
// compares or prints fraudgate.v1 messages.
#ifndef FRAUDGATE_TESTS_TESTING_PROTO_PRINTER_H_
#define FRAUDGATE_TESTS_TESTING_PROTO_PRINTER_H_

#include <ostream>

#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"

namespace fraudgate::v1 {

// Non-template overloads: gtest's own PrintTo is a template, so a template
// here would be ambiguous.
#define FRAUDGATE_PRINT_AS_TEXT(Message)                          \
  inline void PrintTo(const Message& message, std::ostream* os) { \
    *os << message.ShortDebugString();                            \
  }
FRAUDGATE_PRINT_AS_TEXT(Identifier)
FRAUDGATE_PRINT_AS_TEXT(Reason)
FRAUDGATE_PRINT_AS_TEXT(ScreenTransferResponse)
FRAUDGATE_PRINT_AS_TEXT(ScreenTransferResult)
FRAUDGATE_PRINT_AS_TEXT(Report)
FRAUDGATE_PRINT_AS_TEXT(Rejection)
FRAUDGATE_PRINT_AS_TEXT(UploadSummary)
FRAUDGATE_PRINT_AS_TEXT(ReportRef)
FRAUDGATE_PRINT_AS_TEXT(EntityEvent)
FRAUDGATE_PRINT_AS_TEXT(Entity)
FRAUDGATE_PRINT_AS_TEXT(Hit)
FRAUDGATE_PRINT_AS_TEXT(QueryHitsResponse)
FRAUDGATE_PRINT_AS_TEXT(StoredReport)
FRAUDGATE_PRINT_AS_TEXT(AuditRecord)
FRAUDGATE_PRINT_AS_TEXT(HitRecord)
#undef FRAUDGATE_PRINT_AS_TEXT

}  // namespace fraudgate::v1

#endif  // FRAUDGATE_TESTS_TESTING_PROTO_PRINTER_H_
