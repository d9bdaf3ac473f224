#!/usr/bin/env python3
"""Generate a SYNTHETIC police CSV (DESIGN.md section 7) for fraudgate load tests.

  python3 bench/gen_police_csv.py --rows N [--seed S] [--out FILE]

Every row is invented: the numbers, handles and reports belong to nobody. The
output is deterministic for a given --seed (default 1) and streamed, so memory
stays constant whatever --rows is (10 million is fine).

Shape of the file:
  * header `report_id,agency,reported_at,category,confidence,kind,issuer,value,
    victim_count,amount_lost,note`, then exactly --rows data rows;
  * one identifier a row; the rows of one report are consecutive and repeat its
    report_id, agency, reported_at, category, confidence, victim_count,
    amount_lost and note. A report names 1-6 identifiers (mostly 2-3; the last
    report may be cut short to land on exactly --rows rows);
  * report_id is unique per agency, e.g. `PA05-KT-2025-000123`; 21 police
    units (A05-BCA and provincial PA05 units, Ha Noi and TP HCM the busiest);
  * reported_at: a day from 2023-11-01 to 2026-10-31, as a date (~55%), a
    date-time with +07:00 (~30%) or a zone-less date-time (read as +07:00);
  * category: ~46% EXTORTION_DEEPFAKE, then IMPERSONATION, INVESTMENT_SCAM,
    EXTORTION_OTHER, SHOPPING_SCAM, OTHER; confidence ~40% CONFIRMED;
  * victims mostly 1 (up to 50), loss 1 million to 5 billion VND;
  * note: a short Vietnamese phrase, some with commas and double quotes
    (RFC 4180 quoted).

Identifier mix (per row):
  45% BANK_ACCOUNT  issuer a bank from core/data/banks.tsv, spelled as its BIN
                    (~45%), short name (~30%) or an alias (~25%), ASCII names
                    in mixed case; the big retail banks are named most often.
                    8-16 digits (~12% are phone-number "vanity" accounts),
                    ~22% written with spaces, dots or dashes.
  30% PHONE         Vietnamese mobiles on current prefixes in mixed forms
                    (`0912 345 678`, `0912345678`, `+84 91 234 5678`,
                    `84912345678`, `0912.345.678`, `(+84) 91-234-5678`);
                    ~5% in the pre-2018 11-digit form (`0162 912 3456`).
  12% CHAT_HANDLE   TELEGRAM `@name_123` or t.me/ links (~50%), ZALO
                    https://zalo.me/<phone> links or bare phones (~30%),
                    FACEBOOK fb.com/ or facebook.com/ profile links (~20%).
   8% EWALLET       MOMO, ZALOPAY, VIETTELMONEY, VNPTMONEY, SHOPEEPAY (spelled
                    several ways) with phone-number wallet ids.
   5% BANK_ACCOUNT  with issuer `*` (the victim did not know the bank).

Repeats: ~10% of rows name an identifier from an earlier report, drawn from a
ring of the last 50,000 fresh ones (a few ring slots are "hot", so some mule
accounts get dozens of reports) and usually written differently (another bank
spelling or `*`, another phone format or the legacy prefix, @name vs
t.me/name). Fresh identifiers are drawn from spaces large enough that they
rarely collide by chance.

Every identifier is valid for fraudgate's normalizer (core/normalize.cc):
possible VN phone numbers, accounts of 4-34 [0-9A-Z] once separators are
removed, handles in [a-z0-9._-] once lower-cased, banks the directory resolves.
"""

import argparse
import datetime
import os
import random
import sys
from pathlib import Path

HEADER = ("report_id,agency,reported_at,category,confidence,kind,issuer,value,"
          "victim_count,amount_lost,note\n")

DEFAULT_BANKS = Path(__file__).resolve().parent.parent / "core" / "data" / "banks.tsv"

REPEAT_RATE = 0.10
POOL_SIZE = 50_000       # identifiers kept for repeats (bounds memory)
CHUNK_ROWS = 256         # rows joined and written at a time (small chunks: fewer page faults)

FIRST_DAY = datetime.date(2023, 11, 1)
LAST_DAY = datetime.date(2026, 10, 31)

# (agency as written in the CSV, report-id code, relative weight)
AGENCIES = [
    ("A05-BCA", "A05-BCA", 6),
    ("PA05-CA Ha Noi", "PA05-HN", 16),
    ("PA05-CA TP HCM", "PA05-HCM", 18),
    ("PA05-CA Da Nang", "PA05-DN", 5),
    ("PA05-CA Hai Phong", "PA05-HP", 5),
    ("PA05-CA Can Tho", "PA05-CT", 4),
    ("PA05-CA Kon Tum", "PA05-KT", 2),
    ("PA05-CA Dong Nai", "PA05-DNA", 5),
    ("PA05-CA Binh Duong", "PA05-BD", 5),
    ("PA05-CA Nghe An", "PA05-NA", 4),
    ("PA05-CA Thanh Hoa", "PA05-TH", 4),
    ("PA05-CA Quang Ninh", "PA05-QN", 3),
    ("PA05-CA Khanh Hoa", "PA05-KH", 3),
    ("PA05-CA Lam Dong", "PA05-LD", 2),
    ("PA05-CA Bac Ninh", "PA05-BN", 3),
    ("PA05-CA Gia Lai", "PA05-GL", 2),
    ("PA05-CA Dak Lak", "PA05-DL", 2),
    ("PA05-CA Hue", "PA05-HUE", 2),
    ("PA05-CA An Giang", "PA05-AG", 2),
    ("PA05-CA Quang Ngai", "PA05-QNG", 2),
    ("PA05-CA Lao Cai", "PA05-LC", 1),
]

# category -> (relative weight, notes)
CATEGORIES = {
    "EXTORTION_DEEPFAKE": (46, [
        "Đối tượng dùng ảnh cắt ghép, đe dọa phát tán clip",
        "Cắt ghép mặt nạn nhân vào video nhạy cảm, đòi tiền để \"gỡ clip\"",
        "Gọi video deepfake giả người thân, yêu cầu chuyển tiền gấp",
        "Gửi ảnh ghép cho vợ/chồng nạn nhân, đòi 200 triệu",
        "Tống tiền bằng video giả mạo; nạn nhân đã chuyển 2 lần",
        "Đe dọa gửi clip cho đồng nghiệp, yêu cầu chuyển khoản trong 24 giờ",
    ]),
    "EXTORTION_OTHER": (12, [
        "Đe dọa tung tin nhắn riêng tư, yêu cầu chuyển tiền",
        "Đe dọa người thân của nạn nhân, đòi tiền qua tài khoản ngân hàng",
        "Đòi nợ kiểu \"xã hội đen\", khủng bố điện thoại người thân",
    ]),
    "IMPERSONATION": (15, [
        "Giả danh cán bộ công an, yêu cầu chuyển tiền vào \"tài khoản tạm giữ\"",
        "Giả danh nhân viên ngân hàng, xin mã OTP",
        "Mạo danh điện lực, dọa cắt điện nếu không thanh toán",
        "Giả danh giáo viên báo con cấp cứu, đòi chuyển viện phí",
    ]),
    "INVESTMENT_SCAM": (13, [
        "Sàn đầu tư tiền ảo giả mạo, hứa lợi nhuận 30%/tháng",
        "Nhóm Telegram \"chuyên gia\" hướng dẫn đầu tư ngoại hối",
        "Tuyển cộng tác viên làm nhiệm vụ online rồi chiếm đoạt tiền đặt cọc",
    ]),
    "SHOPPING_SCAM": (9, [
        "Bán hàng online, nhận tiền cọc rồi chặn liên lạc",
        "Khách phản ánh chưa nhận hàng; chưa xác minh",
        "Rao bán vé máy bay giá rẻ trên mạng xã hội",
    ]),
    "OTHER": (5, [
        "Cho vay online lãi suất cao, đe dọa khi chậm trả",
        "Lừa đảo tuyển dụng, thu phí \"hồ sơ\"",
        "Nghi vấn tài khoản nhận tiền lừa đảo, đang xác minh",
    ]),
}

# Current mobile prefixes after the trunk 0 (DESIGN.md section 2).
MODERN_PREFIXES = (
    [str(p) for p in range(32, 40)] + ["56", "58", "59", "70"] +
    [str(p) for p in range(76, 80)] + [str(p) for p in range(81, 87)] +
    ["88", "89", "90", "91", "93", "94", "96", "97", "98"])

# Pre-2018 prefix -> current prefix (the last 7 digits did not change).
LEGACY_TO_MODERN = {
    **{str(162 + i): str(32 + i) for i in range(8)},
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    "186": "56", "188": "58", "199": "59",
}
MODERN_TO_LEGACY = {m: l for l, m in LEGACY_TO_MODERN.items()}

# Phone numbers are drawn as one integer below *_SPACE: prefix index, then
# the 7 digits that follow the prefix.
SUBSCRIBERS = 10_000_000
TEN16 = 10 ** 16
MODERN_BASES = [int(p) * SUBSCRIBERS for p in MODERN_PREFIXES]
MODERN_SPACE = len(MODERN_BASES) * SUBSCRIBERS
LEGACY_BASES = [int(p) * SUBSCRIBERS for p in sorted(MODERN_TO_LEGACY)]
LEGACY_SPACE = len(LEGACY_BASES) * SUBSCRIBERS

# BIN -> weight; banks not listed weigh 1.
BANK_WEIGHTS = {
    "970422": 14, "970436": 10, "970407": 10, "970415": 8, "970418": 8,
    "970405": 7, "970432": 7, "970416": 6, "970403": 5, "970423": 5,
    "970437": 3, "970441": 3, "970443": 3, "970448": 3, "970426": 3,
    "970449": 3, "970440": 3, "970454": 2, "970431": 2, "546034": 2,
}

# Account-number lengths; 0 = a "vanity" account that is a phone number.
ACCOUNT_LENGTHS = [0, 0, 8, 9, 10, 10, 11, 12, 12, 12, 13, 13, 13, 14, 14, 15, 16]

# (canonical code, relative weight, spellings)
EWALLETS = [
    ("MOMO", 45, ["MOMO", "MoMo", "Momo"]),
    ("ZALOPAY", 20, ["ZALOPAY", "ZaloPay"]),
    ("VIETTELMONEY", 20, ["VIETTELMONEY", "ViettelMoney", "Viettel Money", "ViettelPay"]),
    ("VNPTMONEY", 5, ["VNPTMONEY", "VNPT Money", "VNPT Pay"]),
    ("SHOPEEPAY", 10, ["SHOPEEPAY", "ShopeePay"]),
]

TELEGRAM_WORDS = [
    "hotro", "thuhoi", "goclip", "xoaclip", "congan", "canbo", "vip", "dautu",
    "kiemtien", "taichinh", "nhiemvu", "ctv", "shop", "admin", "cskh",
    "official", "support", "signal", "crypto", "forex", "trader", "banhang",
    "vaytien", "nganhang", "minh", "tuan", "huong", "lan", "nam", "linh",
    "hoang", "phuong", "thao", "long", "duc", "trang", "anh", "mai", "quan",
    "khanh", "sale", "team", "group", "chuyengia", "thamtu", "luatsu",
]
FAMILY_NAMES = ["nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu",
                "vo", "dang", "bui", "do", "ho", "ngo", "duong", "ly"]
MIDDLE_NAMES = ["van", "thi", "minh", "duc", "thanh", "ngoc", "quoc", "hong",
                "gia", "bao"]
GIVEN_NAMES = ["an", "binh", "cuong", "dung", "giang", "ha", "hai", "hieu",
               "hung", "huy", "khoa", "lan", "linh", "long", "mai", "nam",
               "nga", "phuc", "son", "tam", "thao", "trang", "tu", "vy"]

# Pool entries are tuples tagged with their kind.
BANK, PHONE, EWALLET, TELEGRAM, ZALO, FACEBOOK = range(6)


# --------------------------------------------------------------------------
# Set-up: tables built once, so that a row costs a few lookups.


def csv_field(text):
    """A field ready to paste into a row: quoted per RFC 4180 when it holds a
    comma, quote or line break, and held as raw UTF-8 (see raw_utf8)."""
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return raw_utf8(text)


def raw_utf8(text):
    """`text`'s UTF-8 bytes, one str character per byte (Latin-1).

    Rows are built as str (f-strings are the fastest formatting) and written
    with .encode("latin-1"), which turns each character back into its byte,
    so the file is plain UTF-8. Keeping every piece in the 1-byte range makes
    joining and encoding straight copies; a decoded Vietnamese note would
    widen every row that holds it to 2 bytes a character.
    """
    return text.encode("utf-8").decode("latin-1")


def weighted(pairs):
    """Expand (item, weight) pairs into a list to index with a uniform draw."""
    return [item for item, weight in pairs for _ in range(weight)]


def spread(items, slots):
    """`slots` entries cycling evenly over `items` (for a uniform pick)."""
    return [items[i * len(items) // slots] for i in range(slots)]


def case_variants(name):
    """A bank name as written, and for ASCII names also upper/lower-case
    (fraudgate folds ASCII case only, so other names stay as written)."""
    if not name.isascii():
        return [name]
    return list(dict.fromkeys([name, name.upper(), name.lower()]))


def load_banks(path):
    """Parse banks.tsv (BIN, short name, full name, aliases) into
    [(BIN, short-name spellings, alias spellings)]."""
    banks = []
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        raise SystemExit(f"gen_police_csv: cannot read the bank directory: {e}")
    with f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 3:
                raise SystemExit(f"{path}:{number}: expected BIN, short name, full name, aliases")
            bin_, short = cols[0].strip(), cols[1].strip()
            aliases = [a.strip() for a in cols[3].split(",")] if len(cols) > 3 else []
            shorts = case_variants(short)
            alias_spellings = [v for a in aliases if a for v in case_variants(a)]
            banks.append((bin_, shorts, alias_spellings or shorts))
    if not banks:
        raise SystemExit(f"{path}: no banks")
    return banks


def bank_heads(bank):
    """200 "BANK_ACCOUNT,<issuer>," row parts for one bank: its BIN 45% of the
    time, a short-name spelling 30%, an alias spelling 25%."""
    bin_, shorts, aliases = bank
    names = [bin_] * 90 + spread(shorts, 60) + spread(aliases, 50)
    return [f"BANK_ACCOUNT,{csv_field(n)}," for n in names]


def date_table():
    days = (LAST_DAY - FIRST_DAY).days + 1
    return [(FIRST_DAY + datetime.timedelta(d)).isoformat() for d in range(days)]


def losses_table(seed):
    """4096 "victim_count,amount_lost" pairs, drawn once: 60% one victim, 35%
    2-5, 5% 6-50; the loss log-uniform from 1 million to 2 billion VND, times
    the square root of the victim count, rounded to 100,000."""
    rnd = random.Random(seed).random
    out = []
    for _ in range(4096):
        r = rnd()
        if r < 0.6:
            victims = 1
        elif r < 0.95:
            victims = 2 + int((r - 0.6) / 0.35 * 4)
        else:
            victims = 6 + int((r - 0.95) / 0.05 * 45)
        amount = int(10 ** (6 + 3.3 * rnd()) * victims ** 0.5) // 100_000 * 100_000
        out.append(f"{victims},{max(amount, 100_000)}")
    return out


# Identifiers a report names: 12% 1, 38% 2, 30% 3, 12% 4, 5% 5, 3% 6.
IDENTIFIER_COUNTS = weighted([(1, 12), (2, 38), (3, 30), (4, 12), (5, 5), (6, 3)])


# --------------------------------------------------------------------------
# Rendering helpers.


def phone_national(nsn, r):
    """A 9-digit national significant number in one of the usual forms."""
    if r < 0.30:
        return f"0{nsn[:3]} {nsn[3:6]} {nsn[6:]}"
    if r < 0.50:
        return "0" + nsn
    if r < 0.65:
        return f"+84 {nsn[:2]} {nsn[2:5]} {nsn[5:]}"
    if r < 0.77:
        return "84" + nsn
    if r < 0.90:
        return f"0{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}"
    if r < 0.95:
        return "+84" + nsn
    return f"(+84) {nsn[:2]}-{nsn[2:5]}-{nsn[5:]}"


def phone_legacy(nsn, r):
    """The pre-2018 11-digit form of a number whose prefix had one."""
    old = MODERN_TO_LEGACY[nsn[:2]] + nsn[2:]
    if r < 0.7:
        return f"0{old[:3]} {old[3:6]} {old[6:]}"
    return "0" + old


def account_text(digits, r):
    """An account number, ~22% of the time with separators."""
    if r < 0.78:
        return digits
    if r < 0.88:
        sep, size = " ", 4
    elif r < 0.95:
        sep, size = ".", 3
    else:
        sep, size = "-", 4
    return sep.join([digits[i:i + size] for i in range(0, len(digits), size)])


# --------------------------------------------------------------------------


class Generator:
    """Produces the rows; all randomness comes from one seeded random.Random
    (only its random() method, whose sequence Python keeps stable)."""

    def __init__(self, seed, banks):
        self.rnd = random.Random(seed).random
        # Report-level tables.
        self.agency_pick = weighted((i, w) for i, (_, _, w) in enumerate(AGENCIES))
        self.agency_seq = [0] * len(AGENCIES)
        # ("CATEGORY,CONFIDENCE", note): ~40% CONFIRMED in every category.
        self.category_note_pick = weighted(
            ((f"{category},{confidence}", csv_field(note)),
             cw * max(1, round(24 * w / len(notes))))
            for category, (w, notes) in CATEGORIES.items() for note in notes
            for confidence, cw in (("CONFIRMED", 2), ("SUSPECTED", 3)))
        self.dates = date_table()
        hhmm = [f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)]
        self.times_zoned = [f"T{t}:00+07:00" for t in hhmm]
        self.times_local = [f"T{t}:00" for t in hhmm]
        self.times_spaced = [f" {t}" for t in hhmm]
        self.losses = losses_table(seed)
        # Identifier tables.
        self.bank_pick = weighted(
            (i, BANK_WEIGHTS.get(b[0], 1)) for i, b in enumerate(banks))
        self.bank_heads = [bank_heads(b) for b in banks]
        self.wallet_pick = weighted((i, w) for i, (_, w, _) in enumerate(EWALLETS))
        self.wallet_heads = [[f"EWALLET,{csv_field(s)}," for s in spellings]
                             for _, _, spellings in EWALLETS]
        # Repeats: a ring of earlier identifiers.
        self.pool = [None] * POOL_SIZE
        self.pool_len = 0            # filled slots
        self.pool_pos = 0            # next slot to overwrite
        self.report_repeats = []     # slots repeated in the current report
        self.report_first_slot = 0   # pool_pos when the current report began
        self.repeats = 0

    # ---- fresh identifiers: each returns a pool entry

    def new_nsn(self):
        """A random current mobile number: 9 digits, without the trunk 0."""
        x = int(self.rnd() * MODERN_SPACE)
        return str(MODERN_BASES[x // SUBSCRIBERS] + x % SUBSCRIBERS)

    def new_phone(self):
        if self.rnd() < 0.05:
            # Issued before 2018 and reported in the old 11-digit form; kept
            # (like every number) under its current prefix.
            x = int(self.rnd() * LEGACY_SPACE)
            return (PHONE, str(LEGACY_BASES[x // SUBSCRIBERS] + x % SUBSCRIBERS), True)
        return (PHONE, self.new_nsn(), False)

    def new_account(self, star):
        rnd = self.rnd
        bank = self.bank_pick[int(rnd() * len(self.bank_pick))]
        n = ACCOUNT_LENGTHS[int(rnd() * len(ACCOUNT_LENGTHS))]
        if n == 0:                   # "vanity" account: a phone number
            digits = "0" + self.new_nsn()
        else:
            digits = str(TEN16 + int(rnd() * TEN16))[1:n + 1]   # n digits, leading 0s kept
        return (BANK, bank, digits, star)

    def new_ewallet(self):
        return (EWALLET, self.wallet_pick[int(self.rnd() * len(self.wallet_pick))],
                self.new_nsn())

    def new_chat(self):
        rnd = self.rnd
        r = rnd()
        if r < 0.5:
            return (TELEGRAM, self.telegram_name())
        if r < 0.8:
            return (ZALO, self.new_nsn())
        return (FACEBOOK, self.facebook_slug())

    def telegram_name(self):
        """9-32 characters of [A-Za-z0-9_], starting with a letter. Always
        with a number, so that fresh names rarely collide (repeats come from
        the pool, not from chance)."""
        rnd, w = self.rnd, TELEGRAM_WORDS
        a, b = w[int(rnd() * len(w))], w[int(rnd() * len(w))]
        x = rnd()
        n = int(x * 1e9) % 100_000
        if x < 0.4:
            return f"{a}_{b}_{n % 10_000}"                         # hotro_thuhoi_123
        if x < 0.7:
            return f"{a}{b}{w[int(rnd() * len(w))]}{n % 1000}"     # vipdautusignal88
        return f"{a.capitalize()}_{b.capitalize()}{n}"             # CanBo_CongAn2024

    def facebook_slug(self):
        """A profile path: `ho.dem.ten.<number>` or `profile.php?id=1000…`."""
        rnd = self.rnd
        x = rnd()
        if x < 0.1:
            return f"profile.php?id=1000{str(int(rnd() * 1e11)).zfill(11)}"
        sep = "." if x < 0.8 else ""
        return (f"{FAMILY_NAMES[int(rnd() * len(FAMILY_NAMES))]}{sep}"
                f"{MIDDLE_NAMES[int(rnd() * len(MIDDLE_NAMES))]}{sep}"
                f"{GIVEN_NAMES[int(rnd() * len(GIVEN_NAMES))]}.{int(x * 1e9) % 1_000_000}")

    # ---- rendering an entry as "kind,issuer,value"

    def render(self, entry, repeat):
        """The "kind,issuer,value" text of an entry; a repeat (an entry drawn
        again for a later report) is often written differently."""
        rnd = self.rnd
        tag = entry[0]
        if tag == BANK:
            _, bank, digits, star = entry
            if repeat:
                star = rnd() < 0.10      # this victim did not know the bank
            if star:
                head = "BANK_ACCOUNT,*,"
            else:
                head = self.bank_heads[bank][int(rnd() * 200)]
            r = rnd()
            return head + (digits if r < 0.78 else account_text(digits, r))
        if tag == PHONE:
            _, nsn, legacy = entry
            if repeat:
                legacy = rnd() < 0.10 and nsn[:2] in MODERN_TO_LEGACY
            if legacy:
                return "PHONE,," + phone_legacy(nsn, rnd())
            return "PHONE,," + phone_national(nsn, rnd())
        if tag == EWALLET:
            _, wallet, nsn = entry
            heads = self.wallet_heads[wallet]
            head = heads[int(rnd() * len(heads))]
            r = rnd()
            if r < 0.6:
                return f"{head}0{nsn}"
            if r < 0.85:
                return f"{head}0{nsn[:3]} {nsn[3:6]} {nsn[6:]}"
            return f"{head}+84{nsn}"
        handle = entry[1]
        r = rnd()
        if tag == TELEGRAM:
            head = "CHAT_HANDLE,TELEGRAM," if r < 0.8 else "CHAT_HANDLE,Telegram,"
            r = rnd()
            if r < 0.7:
                return f"{head}@{handle}"
            if r < 0.9:
                return f"{head}t.me/{handle}"
            return f"{head}https://t.me/{handle}"
        if tag == ZALO:
            head = "CHAT_HANDLE,ZALO," if r < 0.8 else "CHAT_HANDLE,Zalo,"
            r = rnd()
            if r < 0.6:
                return f"{head}https://zalo.me/0{handle}"
            if r < 0.75:
                return f"{head}zalo.me/0{handle}"
            return f"{head}0{handle[:3]} {handle[3:6]} {handle[6:]}"
        head = "CHAT_HANDLE,FACEBOOK," if r < 0.8 else "CHAT_HANDLE,Facebook,"
        r = rnd()
        if r < 0.5:
            return f"{head}fb.com/{handle}"
        if r < 0.85:
            return f"{head}https://www.facebook.com/{handle}"
        return f"{head}facebook.com/{handle}"

    # ---- identifiers and reports

    def identifier(self):
        """The "kind,issuer,value" part of one row."""
        rnd = self.rnd
        r = rnd()
        if r < REPEAT_RATE and self.pool_len:
            text = self.repeat()
            if text is not None:
                return text
        r = rnd()
        if r < 0.45:
            entry = self.new_account(False)
        elif r < 0.75:
            entry = self.new_phone()
        elif r < 0.87:
            entry = self.new_chat()
        elif r < 0.95:
            entry = self.new_ewallet()
        else:
            entry = self.new_account(True)
        # Remember it for repeats (a ring: the oldest entry makes room).
        pos = self.pool_pos
        self.pool[pos] = entry
        pos += 1
        if pos > self.pool_len:
            self.pool_len = pos
        self.pool_pos = pos if pos < POOL_SIZE else 0
        return self.render(entry, False)

    def repeat(self):
        """An identifier from an earlier report, or None when the draw falls
        on one this report already names. Low slots are drawn most ("hot")."""
        slot = int(self.rnd() ** 2 * self.pool_len)
        first = self.report_first_slot
        written_now = (slot - first) % POOL_SIZE < (self.pool_pos - first) % POOL_SIZE
        if written_now or slot in self.report_repeats:
            return None
        self.report_repeats.append(slot)
        self.repeats += 1
        return self.render(self.pool[slot], True)

    def start_report(self):
        """Returns (row prefix up to the kind column, row suffix from
        victim_count) of a new report."""
        rnd = self.rnd
        self.report_repeats = []
        self.report_first_slot = self.pool_pos
        agency = self.agency_pick[int(rnd() * len(self.agency_pick))]
        name, code, _ = AGENCIES[agency]
        seq = self.agency_seq[agency] + 1
        self.agency_seq[agency] = seq
        day = self.dates[int(rnd() * len(self.dates))]
        r = rnd()
        if r < 0.55:
            at = day
        elif r < 0.85:
            at = day + self.times_zoned[int((r - 0.55) * 4800)]
        elif r < 0.95:
            at = day + self.times_local[int((r - 0.85) * 14400)]
        else:
            at = day + self.times_spaced[int((r - 0.95) * 28800)]
        category_confidence, note = self.category_note_pick[
            int(rnd() * len(self.category_note_pick))]
        losses = self.losses[int(rnd() * 4096)]
        # report_id as in PA05-KT-2025-000123
        return (f"{code}-{day[:4]}-{str(seq).zfill(6)},{name},{at},{category_confidence},",
                f",{losses},{note}\n")

    def chunks(self, rows, stats=None):
        """Yields the CSV, header first, in pieces of about CHUNK_ROWS rows.
        With a dict `stats`, counts the rows per stat_key() in it."""
        yield HEADER
        rnd, identifier = self.rnd, self.identifier
        if stats is not None:
            identifier = counting(identifier, stats)
        buf = []                     # 3 pieces a row, joined once a chunk
        left = rows
        while left > 0:
            prefix, suffix = self.start_report()
            n = min(IDENTIFIER_COUNTS[int(rnd() * 100)], left)
            left -= n
            for _ in range(n):
                buf += (prefix, identifier(), suffix)
            if len(buf) >= 3 * CHUNK_ROWS:
                yield "".join(buf)
                buf.clear()
        if buf:
            yield "".join(buf)


def counting(identifier, stats):
    """Wraps Generator.identifier to count its rows per stat_key() in stats."""
    def counted():
        text = identifier()
        key = stat_key(text)
        stats[key] = stats.get(key, 0) + 1
        return text
    return counted


def stat_key(text):
    """The --stats class of a row's "kind,issuer,value"."""
    if text.startswith("BANK_ACCOUNT,*,"):
        return "BANK_ACCOUNT (issuer *)"
    if text.startswith("PHONE,,01"):
        return "PHONE (legacy 11-digit)"
    return text[:text.index(",")]


# --------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, required=True, metavar="N",
                   help="number of data rows (one identifier each) to write "
                        "after the header")
    p.add_argument("--seed", type=int, default=1, metavar="S",
                   help="random seed; the same seed gives the same file (default 1)")
    p.add_argument("--out", default="-", metavar="FILE",
                   help="output file (default: stdout)")
    p.add_argument("--banks", default=str(DEFAULT_BANKS), metavar="TSV",
                   help="bank directory to draw issuers from "
                        "(default: core/data/banks.tsv of this checkout)")
    p.add_argument("--stats", action="store_true",
                   help="print the rows per kind and the number of repeated "
                        "identifiers to stderr (slower)")
    args = p.parse_args(argv)
    if args.rows < 0:
        p.error("--rows must be >= 0")
    return args


def print_stats(stats, repeats):
    total = sum(stats.values()) or 1
    for key, n in sorted(stats.items(), key=lambda kv: -kv[1]):
        print(f"{key:26} {n:>10}  {100 * n / total:5.1f}%", file=sys.stderr)
    print(f"{'repeats of earlier ids':26} {repeats:>10}  {100 * repeats / total:5.1f}%",
          file=sys.stderr)


def main(argv=None):
    args = parse_args(argv)
    gen = Generator(args.seed, load_banks(args.banks))
    stats = {} if args.stats else None
    to_stdout = args.out == "-"
    try:
        out = sys.stdout.buffer if to_stdout else open(args.out, "wb")
    except OSError as e:
        raise SystemExit(f"gen_police_csv: {e}")
    try:
        for chunk in gen.chunks(args.rows, stats):
            out.write(chunk.encode("latin-1"))   # see raw_utf8
        out.flush()
    except BrokenPipeError:          # e.g. `| head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if not to_stdout:
            out.close()
    if stats is not None:
        print_stats(stats, gen.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
