// The analyst console end to end: a real server with its HTTP port on
// 127.0.0.1:0, a real store filled through the gRPC API (one upload, nine
// screenings: BLOCK, HOLD, WARN and ALLOW), then
// - the JSON API (/api/hits, /api/hits/ID, /api/past, /api/stats) read with a
//   real HTTP client answers what the gRPC HistoryService answers, in proto
//   JSON with the wire field names, validates its input naming the field, and
//   sends the security headers;
// - the console page, loaded by a real headless Chromium (a child process,
//   `--dump-dom` and `--screenshot`), renders exactly the screenings its URL
//   asks for, newest first, the hit details, the per-day chart and the error
//   state, and a screenshot of it is a real PNG (FRAUDGATE_CONSOLE_SCREENSHOT=
//   PATH keeps a copy, to regenerate the README's);
// - the HTTP port, like the gRPC one, runs insecure only on loopback.
// The browser tests fail, never skip, when Chromium is not installed.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "service/server.h"
#include "tests/testing/child_process.h"
#include "tests/testing/matchers.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::testing::ElementsAreArray;
using testing::EqualsProto;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::MakeIdentifier;
using testing::MakeReport;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kChromium[] = "/usr/bin/chromium";

// The listed account (Vietcombank, BIN 970436), CONFIRMED -> BLOCK.
constexpr char kListedAccount[] = "0071001234567";
// An account never reported, screened twice (ALLOW).
constexpr char kUnlistedAccount[] = "0071009999999";

const absl::TimeZone& Vietnam() {
  static const absl::TimeZone* zone =
      new absl::TimeZone(absl::FixedTimeZone(7 * 3600));
  return *zone;
}

// One screening made in set-up, and what the server answered.
struct Screening {
  std::string transfer_id;
  v1::Decision decision = v1::DECISION_UNSPECIFIED;
  std::string hit_id;
};

std::string DecisionName(v1::Decision d) {
  return std::string(absl::StripPrefix(v1::Decision_Name(d), "DECISION_"));
}

// `text` percent-encoded for a URL query value.
std::string UrlEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// "?name=value&..." with the values encoded.
std::string Query(
    const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : params) {
    parts.push_back(absl::StrCat(name, "=", UrlEncode(value)));
  }
  return parts.empty() ? "" : absl::StrCat("?", absl::StrJoin(parts, "&"));
}

// ---------------------------------------------------------------------------
// A small HTML reader for the DOM Chromium serializes with --dump-dom: every
// non-void element has its end tag there, and the console has no inline
// script, so a stack of open elements rebuilds the tree.

struct Element {
  std::string tag;
  std::map<std::string, std::string> attrs;
  std::string text;  // all descendant text, entities decoded
  std::vector<int> children;

  bool Has(const std::string& attr) const { return attrs.contains(attr); }
  std::string Attr(const std::string& attr) const {
    auto it = attrs.find(attr);
    return it == attrs.end() ? "" : it->second;
  }
  bool HasClass(absl::string_view name) const {
    for (absl::string_view c :
         absl::StrSplit(Attr("class"), ' ', absl::SkipEmpty())) {
      if (c == name) return true;
    }
    return false;
  }
};

std::string DecodeEntities(absl::string_view text) {
  static const std::pair<absl::string_view, absl::string_view> kEntities[] = {
      {"&amp;", "&"},   {"&lt;", "<"},  {"&gt;", ">"},
      {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", " "}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (text[i] == '&') {
      for (const auto& [entity, value] : kEntities) {
        if (text.substr(i, entity.size()) == entity) {
          out.append(value.data(), value.size());
          i += entity.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out.push_back(text[i++]);
  }
  return out;
}

class Dom {
 public:
  explicit Dom(absl::string_view html) {
    elements_.push_back(Element{"#document", {}, "", {}});
    std::vector<int> open = {0};
    size_t i = 0;
    while (i < html.size()) {
      if (html[i] != '<') {
        const size_t end = std::min(html.find('<', i), html.size());
        const std::string text = DecodeEntities(html.substr(i, end - i));
        for (int e : open) elements_[e].text += text;
        i = end;
      } else if (html.substr(i, 4) == "<!--") {
        const size_t end = html.find("-->", i);
        i = end == absl::string_view::npos ? html.size() : end + 3;
      } else if (html.substr(i, 2) == "<!" || html.substr(i, 2) == "<?") {
        i = std::min(html.find('>', i), html.size() - 1) + 1;
      } else if (html.substr(i, 2) == "</") {
        const size_t end = std::min(html.find('>', i), html.size() - 1);
        const std::string tag = absl::AsciiStrToLower(
            absl::StripAsciiWhitespace(html.substr(i + 2, end - i - 2)));
        for (size_t depth = open.size(); depth > 1; --depth) {
          if (elements_[open[depth - 1]].tag == tag) {
            open.resize(depth - 1);
            break;
          }
        }
        i = end + 1;
      } else {
        i = StartTag(html, i, open);
      }
    }
  }

  // The element with id `id`, or nullptr.
  const Element* ById(absl::string_view id) const {
    for (const Element& e : elements_) {
      if (e.Attr("id") == id) return &e;
    }
    return nullptr;
  }

  // The first element named `tag`, or nullptr.
  const Element* First(absl::string_view tag) const {
    for (const Element& e : elements_) {
      if (e.tag == tag) return &e;
    }
    return nullptr;
  }

  // The elements named `tag` under `root` (nullptr: none), in document order.
  std::vector<const Element*> Find(const Element* root,
                                   absl::string_view tag) const {
    std::vector<const Element*> found;
    if (root != nullptr) Collect(*root, tag, &found);
    return found;
  }

 private:
  // Parses the start tag at `i`; returns the position after it.
  size_t StartTag(absl::string_view html, size_t i, std::vector<int>& open) {
    Element e;
    size_t p = i + 1;
    while (p < html.size() && !absl::ascii_isspace(html[p]) && html[p] != '>' &&
           html[p] != '/') {
      e.tag.push_back(absl::ascii_tolower(html[p++]));
    }
    bool self_closing = false;
    while (p < html.size() && html[p] != '>') {
      if (absl::ascii_isspace(html[p])) {
        ++p;
        continue;
      }
      if (html[p] == '/') {
        self_closing = true;
        ++p;
        continue;
      }
      std::string name;
      while (p < html.size() && !absl::ascii_isspace(html[p]) &&
             html[p] != '=' && html[p] != '>' && html[p] != '/') {
        name.push_back(absl::ascii_tolower(html[p++]));
      }
      std::string value;
      if (p < html.size() && html[p] == '=') {
        ++p;
        if (p < html.size() && (html[p] == '"' || html[p] == '\'')) {
          const char quote = html[p++];
          const size_t end = std::min(html.find(quote, p), html.size());
          value = DecodeEntities(html.substr(p, end - p));
          p = end + 1;
        } else {
          while (p < html.size() && !absl::ascii_isspace(html[p]) &&
                 html[p] != '>') {
            value.push_back(html[p++]);
          }
        }
      }
      e.attrs[name] = value;
    }
    const int index = static_cast<int>(elements_.size());
    elements_[open.back()].children.push_back(index);
    const std::string tag = e.tag;
    elements_.push_back(std::move(e));
    static const char* const kVoid[] = {
        "area",  "base", "br",   "col",    "embed", "hr", "img",
        "input", "link", "meta", "source", "track", "wbr"};
    bool is_void = self_closing;
    for (const char* v : kVoid) is_void = is_void || tag == v;
    size_t next = std::min(p, html.size() - 1) + 1;
    if (tag == "script" || tag == "style") {  // raw text
      const size_t end = html.find("</" + tag, next);
      next = end == absl::string_view::npos ? html.size() : end;
      open.push_back(index);
    } else if (!is_void) {
      open.push_back(index);
    }
    return next;
  }

  void Collect(const Element& root, absl::string_view tag,
               std::vector<const Element*>* found) const {
    for (int child : root.children) {
      const Element& e = elements_[child];
      if (e.tag == tag) found->push_back(&e);
      Collect(e, tag, found);
    }
  }

  std::vector<Element> elements_;
};

// The hooks of the console that the tests read.
struct ConsoleView {
  std::string state;  // body data-state
  std::vector<std::string> hit_ids;
  std::vector<std::string> decision_classes;  // "BLOCK" for decision-BLOCK
  std::string status;
  bool detail_shown = false;
  std::string detail_id;
  int reason_rows = 0;
  int chart_rects = 0;
};

ConsoleView ViewOf(const std::string& html) {
  const Dom dom(html);
  ConsoleView view;
  if (const Element* body = dom.First("body")) {
    view.state = body->Attr("data-state");
  }
  const Element* hits = dom.ById("hits");
  for (const Element* tbody : dom.Find(hits, "tbody")) {
    for (const Element* row : dom.Find(tbody, "tr")) {
      if (!row->HasClass("hit")) continue;
      view.hit_ids.push_back(row->Attr("data-hit-id"));
      std::string decision;
      for (absl::string_view c :
           absl::StrSplit(row->Attr("class"), ' ', absl::SkipEmpty())) {
        if (absl::ConsumePrefix(&c, "decision-")) decision = std::string(c);
      }
      view.decision_classes.push_back(decision);
    }
  }
  if (const Element* status = dom.ById("status")) {
    view.status = std::string(absl::StripAsciiWhitespace(status->text));
  }
  if (const Element* detail = dom.ById("detail")) {
    view.detail_shown = !detail->Has("hidden");
  }
  if (const Element* id = dom.ById("detail-id")) {
    view.detail_id = std::string(absl::StripAsciiWhitespace(id->text));
  }
  view.reason_rows =
      static_cast<int>(dom.Find(dom.ById("reasons"), "li").size());
  for (const Element* svg : dom.Find(dom.ById("chart"), "svg")) {
    view.chart_rects += static_cast<int>(dom.Find(svg, "rect").size());
  }
  return view;
}

// ---------------------------------------------------------------------------
// The server and its data, built once per test process.

class ConsoleTest : public ::testing::Test {
 protected:
  struct World {
    testing::TempDir dir;
    std::atomic<int> minutes{0};
    absl::CivilDay today;  // Vietnam time, when the test started
    std::unique_ptr<testing::TestServer> server;
    std::vector<Screening> screenings;  // oldest first
  };

  static void TearDownTestSuite() { world_.reset(); }

  void SetUp() override {
    if (world_ == nullptr) {
      auto world = std::make_unique<World>();
      ASSERT_NO_FATAL_FAILURE(Build(*world));
      world_ = std::move(world);
    }
    client_ = std::make_unique<httplib::Client>("127.0.0.1",
                                                world_->server->http_port());
    client_->set_read_timeout(10, 0);
  }

  // Uploads three reports and screens nine transfers, one a minute from
  // 01:00 today (Vietnam time): the listed account in three input forms
  // (BLOCK), as a contact (HOLD), a suspected account (HOLD), a suspected
  // phone as contact (WARN), and three unlisted accounts (ALLOW).
  static void Build(World& w) {
    w.today = absl::ToCivilDay(absl::Now(), Vietnam());
    const absl::Time start =
        absl::FromCivil(w.today, Vietnam()) + absl::Hours(1);
    service::ServerOptions options;
    options.http_listen = "127.0.0.1:0";
    std::atomic<int>* minutes = &w.minutes;
    options.clock = [start, minutes] {
      return start + absl::Minutes(minutes->load());
    };
    auto server = testing::TestServer::Start(w.dir.path(), options);
    ASSERT_TRUE(server.ok()) << server.status();
    w.server = *std::move(server);
    ASSERT_GT(w.server->http_port(), 0);

    auto summary = testing::Upload(
        w.server->reports(),
        {MakeReport("R1", "A05-BCA", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
                    {MakeIdentifier(v1::BANK_ACCOUNT, "VCB", kListedAccount)}),
         MakeReport(
             "R2", "PC02-HN", v1::INVESTMENT_SCAM, v1::SUSPECTED,
             {MakeIdentifier(v1::BANK_ACCOUNT, "TCB", "19033334445556")}),
         MakeReport("R3", "PC02-HN", v1::OTHER, v1::SUSPECTED,
                    {MakeIdentifier(v1::PHONE, "", "0912345678")})});
    ASSERT_TRUE(summary.ok()) << summary.status();

    struct Transfer {
      std::string id, bank, account;
      int64_t amount;
      std::vector<v1::Identifier> contacts;
      v1::Decision expected;
    };
    const std::vector<Transfer> transfers = {
        {"t1", "VCB", kListedAccount, 15'000'000, {}, v1::DECISION_BLOCK},
        {"t2", "VCB", kUnlistedAccount, 2'000'000, {}, v1::DECISION_ALLOW},
        {"t3", "TCB", "19033334445556", 3'000'000, {}, v1::DECISION_HOLD},
        {"t4",
         "vietcombank",
         "0071 0012 34567",
         500'000,
         {},
         v1::DECISION_BLOCK},
        {"t5", "ACB", "123456789", 750'000, {}, v1::DECISION_ALLOW},
        {"t6",
         "VCB",
         "0071008888888",
         1'000'000,
         {MakeIdentifier(v1::PHONE, "", "0912 345 678")},
         v1::DECISION_WARN},
        {"t7",
         "ACB",
         "5550001112223",
         1'200'000,
         {MakeIdentifier(v1::BANK_ACCOUNT, "970436", kListedAccount)},
         v1::DECISION_HOLD},
        {"t8", "970436", kListedAccount, 9'000'000, {}, v1::DECISION_BLOCK},
        {"t9", "VCB", "0071 0099 99999", 4'000'000, {}, v1::DECISION_ALLOW},
    };
    for (const Transfer& t : transfers) {
      ++w.minutes;
      v1::ScreenTransferRequest request;
      request.set_transfer_id(t.id);
      request.set_amount(t.amount);
      request.mutable_beneficiary()->set_bank(t.bank);
      request.mutable_beneficiary()->set_account(t.account);
      for (const v1::Identifier& c : t.contacts) *request.add_contacts() = c;
      v1::ScreenTransferResponse response;
      grpc::ClientContext context;
      const grpc::Status s =
          w.server->screening().ScreenTransfer(&context, request, &response);
      ASSERT_TRUE(s.ok()) << t.id << ": " << s.error_message();
      ASSERT_EQ(response.decision(), t.expected) << response.ShortDebugString();
      ASSERT_FALSE(response.hit_id().empty());
      w.screenings.push_back({t.id, response.decision(), response.hit_id()});
    }
  }

  static testing::TestServer& server() { return *world_->server; }

  // Hit ids of the screenings whose transfer ids are given, newest first.
  static std::vector<std::string> HitIds(
      const std::vector<std::string>& transfer_ids) {
    std::vector<std::string> ids;
    for (auto it = world_->screenings.rbegin(); it != world_->screenings.rend();
         ++it) {
      for (const std::string& t : transfer_ids) {
        if (it->transfer_id == t) ids.push_back(it->hit_id);
      }
    }
    return ids;
  }
  static std::vector<std::string> AllHitIds() {
    std::vector<std::string> ids;
    for (auto it = world_->screenings.rbegin(); it != world_->screenings.rend();
         ++it) {
      ids.push_back(it->hit_id);
    }
    return ids;
  }
  static const Screening& ByTransfer(const std::string& transfer_id) {
    for (const Screening& s : world_->screenings) {
      if (s.transfer_id == transfer_id) return s;
    }
    ADD_FAILURE() << "no screening " << transfer_id;
    static const Screening kNone;
    return kNone;
  }
  static std::string Day(int offset) {
    return absl::FormatCivilTime(world_->today + offset);
  }

  // GET `path`; fails the test when no answer comes.
  httplib::Result Get(const std::string& path) {
    httplib::Result result = client_->Get(path);
    EXPECT_TRUE(result) << path << ": " << httplib::to_string(result.error());
    return result;
  }

  // GET `path`, which must answer 200 with JSON, parsed into `*message`;
  // the raw JSON is returned.
  template <typename Message>
  std::string GetJson(const std::string& path, Message* message) {
    httplib::Result result = Get(path);
    if (!result) return "";
    EXPECT_EQ(result->status, 200) << path << "\n" << result->body;
    EXPECT_THAT(result->get_header_value("Content-Type"),
                StartsWith("application/json"));
    const auto status =
        google::protobuf::util::JsonStringToMessage(result->body, message);
    EXPECT_TRUE(status.ok()) << path << ": " << status.ToString() << "\n"
                             << result->body;
    return result->body;
  }

  // The hits of /api/hits with `query`.
  v1::QueryHitsResponse Hits(const std::string& query) {
    v1::QueryHitsResponse response;
    GetJson("/api/hits" + query, &response);
    return response;
  }

  static std::vector<std::string> Ids(const v1::QueryHitsResponse& r) {
    std::vector<std::string> ids;
    for (const v1::Hit& h : r.hits()) ids.push_back(h.hit_id());
    return ids;
  }

  // GET `path` must answer `http_status` with {"code": code, "message": ...};
  // returns the message.
  std::string ExpectError(const std::string& path, int http_status,
                          const std::string& code) {
    httplib::Result result = Get(path);
    if (!result) return "";
    EXPECT_EQ(result->status, http_status) << path << "\n" << result->body;
    EXPECT_EQ(result->get_header_value("Cache-Control"), "no-store") << path;
    // The error is a google.rpc.Status-like object; read it as a Struct.
    google::protobuf::Struct error;
    const auto status =
        google::protobuf::util::JsonStringToMessage(result->body, &error);
    EXPECT_TRUE(status.ok()) << path << ": " << result->body;
    const auto& fields = error.fields();
    EXPECT_EQ(fields.count("code") > 0 ? fields.at("code").string_value() : "",
              code)
        << path << ": " << result->body;
    return fields.count("message") > 0 ? fields.at("message").string_value()
                                       : "";
  }

  static std::unique_ptr<World> world_;
  std::unique_ptr<httplib::Client> client_;
};

std::unique_ptr<ConsoleTest::World> ConsoleTest::world_;

// ---------------------------------------------------------------------------
// A. The JSON API.

TEST_F(ConsoleTest, HitsListsEveryScreeningNewestFirstInProtoJson) {
  v1::QueryHitsResponse response;
  const std::string json = GetJson("/api/hits", &response);
  EXPECT_THAT(Ids(response), ElementsAreArray(AllHitIds()));
  EXPECT_TRUE(response.next_page_token().empty());

  // The same hits as the gRPC API, field for field.
  v1::QueryHitsResponse grpc_response;
  grpc::ClientContext context;
  ASSERT_TRUE(server()
                  .history()
                  .QueryHits(&context, v1::QueryHitsRequest(), &grpc_response)
                  .ok());
  EXPECT_THAT(response, EqualsProto(grpc_response));

  // Wire field names, enum names, int64 as strings.
  EXPECT_THAT(json, HasSubstr("\"hit_id\":"));
  EXPECT_THAT(json, HasSubstr("\"transfer_id\":\"t9\""));
  EXPECT_THAT(json, HasSubstr("\"screened_at\":\""));
  EXPECT_THAT(json, HasSubstr("\"list_version\":\""));
  EXPECT_THAT(json, HasSubstr("\"decision\":\"DECISION_BLOCK\""));
  EXPECT_THAT(json, HasSubstr("\"amount\":\"15000000\""));
  EXPECT_THAT(json, Not(HasSubstr("hitId")));
  EXPECT_THAT(json, Not(HasSubstr("screenedAt")));
  for (int i = 0; i < response.hits_size(); ++i) {
    const Screening& s = world_->screenings[world_->screenings.size() - 1 - i];
    EXPECT_EQ(response.hits(i).transfer_id(), s.transfer_id);
    EXPECT_EQ(response.hits(i).decision(), s.decision);
  }
}

TEST_F(ConsoleTest, HitsFilterByIdentifierInAnyInputFormAndByDecision) {
  // Vietcombank by name, the account spaced: t1, t4, t8 (beneficiary) and
  // t7 (contact).
  const std::string listed = Query({{"kind", "BANK_ACCOUNT"},
                                    {"issuer", "Vietcombank"},
                                    {"value", "0071 0012 34567"}});
  EXPECT_THAT(Ids(Hits(listed)),
              ElementsAreArray(HitIds({"t1", "t4", "t7", "t8"})));
  EXPECT_THAT(Ids(Hits(Query({{"kind", "bank_account"},
                              {"issuer", "970436"},
                              {"value", "0071-0012-34567"},
                              {"decision", "BLOCK"}}))),
              ElementsAreArray(HitIds({"t1", "t4", "t8"})));
  EXPECT_THAT(Ids(Hits(Query({{"kind", "PHONE"}, {"value", "+84912345678"}}))),
              ElementsAreArray(HitIds({"t6"})));

  // Decisions alone, any case.
  EXPECT_THAT(Ids(Hits("?decision=BLOCK,HOLD")),
              ElementsAreArray(HitIds({"t1", "t3", "t4", "t7", "t8"})));
  EXPECT_THAT(Ids(Hits("?decision=allow")),
              ElementsAreArray(HitIds({"t2", "t5", "t9"})));
  EXPECT_THAT(Ids(Hits("?decision=WARN&min_score=51")), IsEmpty());

  // Dates are Vietnam days; `to` is exclusive.
  EXPECT_THAT(Ids(Hits(Query({{"from", Day(0)}, {"to", Day(1)}}))),
              ElementsAreArray(AllHitIds()));
  EXPECT_THAT(Ids(Hits(Query({{"from", Day(1)}}))), IsEmpty());
  EXPECT_THAT(Ids(Hits(Query({{"to", Day(0)}}))), IsEmpty());
}

TEST_F(ConsoleTest, PagesCoverEveryHitOnce) {
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    v1::QueryHitsResponse page;
    const std::string json = GetJson(
        "/api/hits" + Query({{"page_size", "4"}, {"page_token", token}}),
        &page);
    ASSERT_LE(page.hits_size(), 4);
    if (!page.next_page_token().empty()) {
      EXPECT_THAT(json, HasSubstr("\"next_page_token\":\""));
    }
    for (const v1::Hit& h : page.hits()) seen.push_back(h.hit_id());
    token = page.next_page_token();
    ASSERT_LT(++pages, 10) << "paging does not end";
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(seen, ElementsAreArray(AllHitIds()));
}

TEST_F(ConsoleTest, HitByIdHasItsReasons) {
  const Screening& t8 = ByTransfer("t8");
  v1::Hit hit;
  const std::string json = GetJson("/api/hits/" + t8.hit_id, &hit);
  EXPECT_EQ(hit.hit_id(), t8.hit_id);
  EXPECT_EQ(hit.transfer_id(), "t8");
  EXPECT_EQ(hit.decision(), v1::DECISION_BLOCK);
  EXPECT_EQ(hit.amount(), 9'000'000);
  ASSERT_THAT(hit.reasons(), Not(IsEmpty()));
  EXPECT_EQ(hit.reasons(0).code(), "BENEFICIARY_ACCOUNT_LISTED");
  EXPECT_EQ(hit.reasons(0).identifier().value(), kListedAccount);
  EXPECT_EQ(hit.beneficiary().value(), kListedAccount);
  EXPECT_THAT(json, HasSubstr("\"reasons\":[{"));
  EXPECT_THAT(json, HasSubstr("\"report_count\":"));

  v1::GetHitRequest request;
  request.set_hit_id(t8.hit_id);
  v1::Hit grpc_hit;
  grpc::ClientContext context;
  ASSERT_TRUE(server().history().GetHit(&context, request, &grpc_hit).ok());
  EXPECT_THAT(hit, EqualsProto(grpc_hit));

  // The contact match names the listed account as its reason.
  v1::Hit t7;
  GetJson("/api/hits/" + ByTransfer("t7").hit_id, &t7);
  ASSERT_THAT(t7.reasons(), Not(IsEmpty()));
  EXPECT_EQ(t7.reasons(0).code(), "CONTACT_LISTED");
  EXPECT_EQ(t7.reasons(0).identifier().value(), kListedAccount);
}

TEST_F(ConsoleTest, UnknownHitIsNotFound) {
  ExpectError("/api/hits/ZZZZZZZZZZZZZZZZ", 404, "NOT_FOUND");
  std::string unknown = ByTransfer("t1").hit_id;
  unknown.back() = unknown.back() == '0' ? '1' : '0';
  ExpectError("/api/hits/" + unknown, 404, "NOT_FOUND");
  // Malformed ids too get the JSON error, not a bare 404.
  ExpectError("/api/hits/abc-def", 404, "NOT_FOUND");
  ExpectError("/api/hits/", 404, "NOT_FOUND");
}

TEST_F(ConsoleTest, BadInputIsInvalidArgumentNamingTheField) {
  EXPECT_THAT(
      ExpectError("/api/hits?kind=PHONE&value=12", 400, "INVALID_ARGUMENT"),
      ::testing::AnyOf(StartsWith("value:"), StartsWith("identifier.value:")));
  EXPECT_THAT(
      ExpectError("/api/hits?kind=IBAN&value=12", 400, "INVALID_ARGUMENT"),
      StartsWith("kind:"));
  const std::pair<std::string, std::string> cases[] = {
      {"/api/hits?decision=nope", "decision:"},
      // Bytes that are not UTF-8 are refused by name, in valid JSON.
      {"/api/hits?decision=%FF", "decision: not valid UTF-8"},
      {"/api/hits?from=%C3%28", "from: not valid UTF-8"},
      {"/api/hits?from=garbage", "from:"},
      // Before the first time a Timestamp holds: was a 500.
      {"/api/hits?from=0001-01-01", "from: \"0001-01-01\" is out of range"},
      {"/api/stats?to=0000-12-31T20:00:00Z", "to:"},
      {absl::StrCat("/api/hits?from=", Day(1), "&to=", Day(0)), "from:"},
      {"/api/hits?page_size=5000", "page_size:"},
      {"/api/hits?page_size=ten", "page_size:"},
      {"/api/hits?min_score=101", "min_score:"},
      {"/api/past", "identifier"},
      {"/api/stats?to=2026-13-45", "to:"},
      {"/api/stats?top_n=-1", "top_n:"},
  };
  for (const auto& [path, field] : cases) {
    EXPECT_THAT(ExpectError(path, 400, "INVALID_ARGUMENT"), StartsWith(field))
        << path;
  }
}

TEST_F(ConsoleTest, StatsCountTodaysScreeningsByDecision) {
  v1::HitStatsResponse stats;
  const std::string json = GetJson(
      "/api/stats" + Query({{"from", Day(-13)}, {"to", Day(1)}}), &stats);
  EXPECT_EQ(stats.screenings(), 9);
  EXPECT_FALSE(stats.truncated());
  std::map<v1::Decision, int64_t> expected;
  for (const Screening& s : world_->screenings) ++expected[s.decision];
  ASSERT_EQ(expected.size(), 4u);

  ASSERT_EQ(stats.by_day_size(), 1) << stats.ShortDebugString();
  EXPECT_EQ(stats.by_day(0).day(), Day(0));
  std::map<v1::Decision, int64_t> today;
  for (const v1::DecisionCount& c : stats.by_day(0).by_decision()) {
    today[c.decision()] += c.count();
  }
  EXPECT_EQ(today, expected);
  std::map<v1::Decision, int64_t> total;
  for (const v1::DecisionCount& c : stats.by_decision()) {
    total[c.decision()] += c.count();
  }
  EXPECT_EQ(total, expected);
  EXPECT_THAT(json,
              HasSubstr(absl::StrCat("\"by_day\":[{\"day\":\"", Day(0), "\"")));
  EXPECT_THAT(json, HasSubstr("\"count\":\"3\""));  // int64 as a string
  // The listed account tops the identifiers (four hits).
  ASSERT_GT(stats.top_identifiers_size(), 0);
  EXPECT_EQ(stats.top_identifiers(0).identifier().value(), kListedAccount);
  EXPECT_EQ(stats.top_identifiers(0).hits(), 4);
}

TEST_F(ConsoleTest, PastFindsAllowedTransfersToAnUnlistedAccount) {
  v1::QueryHitsResponse past;
  GetJson("/api/past" + Query({{"kind", "BANK_ACCOUNT"},
                               {"issuer", "Vietcombank"},
                               {"value", "0071-0099-99999"}}),
          &past);
  EXPECT_THAT(Ids(past), ElementsAreArray(HitIds({"t2", "t9"})));
  for (const v1::Hit& h : past.hits()) {
    EXPECT_EQ(h.decision(), v1::DECISION_ALLOW);
    EXPECT_EQ(h.beneficiary().kind(), v1::BANK_ACCOUNT);
    EXPECT_EQ(h.beneficiary().issuer(), "970436");
    EXPECT_EQ(h.beneficiary().value(), kUnlistedAccount);
  }
  // Not so in the hit list itself: an unmatched screening keeps no plain
  // beneficiary.
  v1::QueryHitsResponse allowed = Hits("?decision=ALLOW");
  ASSERT_THAT(allowed.hits(), Not(IsEmpty()));
  EXPECT_FALSE(allowed.hits(0).has_beneficiary());
}

TEST_F(ConsoleTest, SecurityHeaders) {
  for (const std::string& path :
       std::vector<std::string>{"/", "/console.js", "/api/hits"}) {
    httplib::Result result = Get(path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << path;
    const std::string csp = result->get_header_value("Content-Security-Policy");
    EXPECT_THAT(csp, HasSubstr("default-src 'self'")) << path;
    EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'")) << path;
    EXPECT_EQ(result->get_header_value("X-Content-Type-Options"), "nosniff")
        << path;
    EXPECT_EQ(result->get_header_value("X-Frame-Options"), "DENY") << path;
  }
  for (const std::string& path : std::vector<std::string>{
           "/api/hits", "/api/past?kind=PHONE&value=0912345678", "/api/stats",
           "/api/hits/" + ByTransfer("t1").hit_id}) {
    httplib::Result result = Get(path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << path;
    EXPECT_EQ(result->get_header_value("Cache-Control"), "no-store") << path;
  }
}

TEST_F(ConsoleTest, ServesTheConsoleAndNothingElse) {
  httplib::Result page = Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->get_header_value("Content-Type"), StartsWith("text/html"));
  EXPECT_THAT(page->body, HasSubstr("<body data-state=\"loading\""));
  EXPECT_THAT(page->body, HasSubstr("id=\"hits\""));
  EXPECT_THAT(page->body, HasSubstr("/console.js"));

  httplib::Result js = Get("/console.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_THAT(js->get_header_value("Content-Type"),
              StartsWith("text/javascript"));
  EXPECT_THAT(js->body, HasSubstr("/api/hits"));
  httplib::Result css = Get("/console.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
  EXPECT_THAT(css->get_header_value("Content-Type"), StartsWith("text/css"));

  for (const char* path : {"/nope", "/api", "/api/hitz", "/index.html"}) {
    httplib::Result result = Get(path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 404) << path;
  }
  // Read-only: no other method is served.
  httplib::Result post = client_->Post("/api/hits", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_NE(post->status, 200);
}

TEST(ConsoleOptionsTest, InsecureHttpOnlyOnLoopback) {
  service::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.insecure = true;
  options.http_listen = "127.0.0.1:0";
  EXPECT_TRUE(service::ValidateServerOptions(options).ok());
  options.http_listen = "0.0.0.0:0";
  const absl::Status status = service::ValidateServerOptions(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("http")) << status;
}

// ---------------------------------------------------------------------------
// B. The console in headless Chromium.

class ConsoleBrowserTest : public ConsoleTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(access(kChromium, X_OK), 0)
        << kChromium
        << " is missing: the console tests need headless Chromium; run "
           "scripts/deps.sh --test (as root) to install it";
    ConsoleTest::SetUp();
  }

  std::string Url(const std::string& query) const {
    return absl::StrCat("http://127.0.0.1:", world_->server->http_port(), "/",
                        query);
  }

  // Runs Chromium on `url` with `flags`, a fresh profile, and a 60 s limit.
  testing::ProcessResult Chromium(const std::vector<std::string>& flags,
                                  const std::string& url) {
    testing::TempDir profile;
    std::vector<std::string> args = {
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--mute-audio",
        "--user-data-dir=" + profile.path(),
        "--virtual-time-budget=10000",
    };
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(url);
    return testing::RunProcess(kChromium, args, absl::Seconds(60));
  }

  // The console at `query`, as Chromium renders it; `flags` may add e.g. a
  // --screenshot of the same page.
  ConsoleView Load(const std::string& query,
                   std::vector<std::string> flags = {}) {
    flags.push_back("--dump-dom");
    const testing::ProcessResult result = Chromium(flags, Url(query));
    EXPECT_EQ(result.exit_code, 0) << result.Describe();
    EXPECT_THAT(result.out, HasSubstr("<body")) << result.Describe();
    return ViewOf(result.out);
  }

  // The decisions ("BLOCK") of the screenings whose transfer ids are given,
  // newest first.
  static std::vector<std::string> Decisions(
      const std::vector<std::string>& transfer_ids) {
    std::vector<std::string> decisions;
    for (const std::string& hit_id : HitIds(transfer_ids)) {
      for (const Screening& s : world_->screenings) {
        if (s.hit_id == hit_id) decisions.push_back(DecisionName(s.decision));
      }
    }
    return decisions;
  }
};

// Also takes a screenshot of the page it checks (one Chromium run does both);
// FRAUDGATE_CONSOLE_SCREENSHOT=PATH keeps a copy, e.g. for the README.
TEST_F(ConsoleBrowserTest, ShowsEveryScreeningNewestFirstWithHitDetail) {
  const Screening& t8 = ByTransfer("t8");
  testing::TempDir out;
  const std::string png = out.File("console.png");
  const ConsoleView view = Load(
      "?hit=" + t8.hit_id,
      {"--screenshot=" + png, "--window-size=1400,1000", "--hide-scrollbars"});
  ASSERT_EQ(view.state, "ready") << view.status;
  const std::vector<std::string> all = {"t1", "t2", "t3", "t4", "t5",
                                        "t6", "t7", "t8", "t9"};
  EXPECT_THAT(view.hit_ids, ElementsAreArray(HitIds(all)));
  EXPECT_THAT(view.decision_classes, ElementsAreArray(Decisions(all)));
  EXPECT_THAT(view.status, HasSubstr("9"));
  EXPECT_TRUE(view.detail_shown);
  EXPECT_EQ(view.detail_id, t8.hit_id);
  EXPECT_GE(view.reason_rows, 1);
  // Everything was screened today: one bar segment per decision seen.
  EXPECT_EQ(view.chart_rects, 4);

  ASSERT_TRUE(std::filesystem::exists(png));
  std::ifstream in(png, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  EXPECT_TRUE(absl::StartsWith(bytes, "\x89PNG\r\n\x1a\n"));
  EXPECT_GT(bytes.size(), 20'000u);
  if (const char* copy = std::getenv("FRAUDGATE_CONSOLE_SCREENSHOT");
      copy != nullptr && *copy != '\0') {
    std::error_code error;
    std::filesystem::copy_file(
        png, copy, std::filesystem::copy_options::overwrite_existing, error);
    EXPECT_FALSE(error) << "copying the screenshot to " << copy << ": "
                        << error.message();
  }
}

TEST_F(ConsoleBrowserTest, SearchesTheListedAccountInAnyFormByDecision) {
  const std::string account = Query({{"kind", "BANK_ACCOUNT"},
                                     {"issuer", "vietcombank"},
                                     {"value", "0071-0012 34567"}});
  const ConsoleView blocked = Load(account + "&decision=BLOCK");
  ASSERT_EQ(blocked.state, "ready") << blocked.status;
  EXPECT_THAT(blocked.hit_ids, ElementsAreArray(HitIds({"t1", "t4", "t8"})));
  EXPECT_THAT(blocked.decision_classes,
              ElementsAreArray({"BLOCK", "BLOCK", "BLOCK"}));
  EXPECT_FALSE(blocked.detail_shown);
  EXPECT_GE(blocked.chart_rects, 1);

  // The whole day range and BLOCK or HOLD: the contact hit too.
  const ConsoleView held = Load(absl::StrCat(
      account, "&decision=BLOCK,HOLD&from=", Day(0), "&to=", Day(0)));
  ASSERT_EQ(held.state, "ready") << held.status;
  EXPECT_THAT(held.hit_ids, ElementsAreArray(HitIds({"t1", "t4", "t7", "t8"})));
  EXPECT_THAT(held.decision_classes,
              ElementsAreArray(Decisions({"t1", "t4", "t7", "t8"})));
}

TEST_F(ConsoleBrowserTest, PastModeShowsAllowedTransfersToTheBeneficiary) {
  const ConsoleView view = Load(Query({{"kind", "BANK_ACCOUNT"},
                                       {"issuer", "VCB"},
                                       {"value", kUnlistedAccount},
                                       {"decision", "BLOCK"},
                                       {"past", "1"}}));
  ASSERT_EQ(view.state, "ready") << view.status;
  EXPECT_THAT(view.hit_ids, ElementsAreArray(HitIds({"t2", "t9"})));
  EXPECT_THAT(view.decision_classes, ElementsAreArray({"ALLOW", "ALLOW"}));
}

TEST_F(ConsoleBrowserTest, UnknownHitIsAnError) {
  const ConsoleView view = Load("?hit=ZZZZZZZZZZZZZZZZ");
  EXPECT_EQ(view.state, "error");
  EXPECT_THAT(view.status, HasSubstr("rror"));
  EXPECT_FALSE(view.detail_shown);
}

}  // namespace
}  // namespace fraudgate
