// The geo commands: GEOADD GEODIST GEOHASH GEOPOS GEOSEARCH GEOSEARCHSTORE
// GEORADIUS GEORADIUSBYMEMBER and their _RO forms.
//
// As in Redis, a geo index is a sorted set whose scores are 52-bit geohashes
// (store/geo.h): GEOADD turns each position into a score and runs ZADD with
// the same options (so it is ZADD that writes, logs and checks types), and a
// search reads the score ranges of nine geohash cells, keeping the members
// whose decoded position is inside the shape. Results, distances and the
// order of unsorted replies follow Redis's, step for step.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/base/ascii.h"
#include "server/commands/collection_access.h"
#include "server/commands/scope_reply.h"
#include "server/exec/command.h"
#include "server/server_state.h"
#include "store/geo.h"
#include "store/keyspace.h"
#include "store/string_ops.h"
#include "store/types/zset.h"

namespace stashd::server {
namespace {

namespace geo = store::geo;
using store::Keyspace;
using store::ZSetObject;

// The sorted set at `key` for a read: nullptr if missing; *wrong_type (and a
// WRONGTYPE reply) if it holds another type.
const ZSetObject* ReadGeoSet(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return ReadCollection<ZSetObject>(ctx, key, store::ValueType::kZSet, wrong_type);
}

// Redis's getDoubleFromObjectOrReply: `error` replaces the default text.
std::optional<double> ParseFloat(CommandContext& ctx, std::string_view s,
                                 std::string_view error = errors::kNotFloat) {
  std::optional<double> v = store::ParseDouble(s);
  if (!v) ctx.reply.Error(error);
  return v;
}

// Redis's extractLongLatOrReply.
std::optional<geo::Point> ParsePosition(CommandContext& ctx, std::string_view lon,
                                        std::string_view lat) {
  std::optional<double> x = ParseFloat(ctx, lon);
  if (!x) return std::nullopt;
  std::optional<double> y = ParseFloat(ctx, lat);
  if (!y) return std::nullopt;
  if (!geo::ValidPosition(*x, *y)) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%f,%f", *x, *y);
    ctx.reply.Error(errors::Format(errors::kGeoInvalidPosition, {buf}));
    return std::nullopt;
  }
  return geo::Point{*x, *y};
}

// Meters per unit, or nullopt after replying the error.
std::optional<double> ParseUnit(CommandContext& ctx, std::string_view unit) {
  const double m = geo::MetersPerUnit(std::string(unit));
  if (m == 0) {
    ctx.reply.Error(errors::kGeoUnsupportedUnit);
    return std::nullopt;
  }
  return m;
}

// Redis's extractDistanceOrReply: radius and unit.
bool ParseRadius(CommandContext& ctx, std::string_view radius, std::string_view unit,
                 geo::Shape* shape) {
  std::optional<double> r = ParseFloat(ctx, radius, errors::kGeoNeedNumericRadius);
  if (!r) return false;
  if (*r < 0) {
    ctx.reply.Error(errors::kGeoNegativeRadius);
    return false;
  }
  std::optional<double> m = ParseUnit(ctx, unit);
  if (!m) return false;
  shape->kind = geo::Shape::Kind::kRadius;
  shape->radius = *r;
  shape->conversion = *m;
  return true;
}

// Redis's extractBoxOrReply: width, height and unit.
bool ParseBox(CommandContext& ctx, std::string_view width, std::string_view height,
              std::string_view unit, geo::Shape* shape) {
  std::optional<double> w = ParseFloat(ctx, width, errors::kGeoNeedNumericWidth);
  if (!w) return false;
  std::optional<double> h = ParseFloat(ctx, height, errors::kGeoNeedNumericHeight);
  if (!h) return false;
  if (*h < 0 || *w < 0) {
    ctx.reply.Error(errors::kGeoNegativeBox);
    return false;
  }
  std::optional<double> m = ParseUnit(ctx, unit);
  if (!m) return false;
  shape->kind = geo::Shape::Kind::kBox;
  shape->width = *w;
  shape->height = *h;
  shape->conversion = *m;
  return true;
}

// The position of `member`, or nullopt if it is not in the set.
std::optional<geo::Point> PositionOf(const ZSetObject& z, std::string_view member) {
  std::optional<double> score = z.Score(member);
  if (!score) return std::nullopt;
  return geo::PointOfScore(*score);
}

// ---- GEOADD ----

// GEOADD key [NX|XX] [CH] longitude latitude member [...]: checked here,
// then done by ZADD with each position turned into its score.
void CmdGeoadd(CommandContext& ctx) {
  const size_t argc = ctx.args.size();
  size_t first = 2;
  bool nx = false, xx = false;
  for (; first < argc; ++first) {
    const std::string& opt = ctx.args[first];
    if (EqualsIgnoreCase(opt, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      xx = true;
    } else if (!EqualsIgnoreCase(opt, "ch")) {
      break;
    }
  }
  if ((argc - first) % 3 != 0 || (nx && xx)) return ctx.reply.Error(errors::kSyntax);
  Args zadd(ctx.args.begin(), ctx.args.begin() + static_cast<std::ptrdiff_t>(first));
  zadd[0] = "zadd";
  for (size_t i = first; i < argc; i += 3) {
    std::optional<geo::Point> p = ParsePosition(ctx, ctx.args[i], ctx.args[i + 1]);
    if (!p) return;
    zadd.push_back(std::to_string(static_cast<int64_t>(geo::ScoreOf(p->longitude, p->latitude))));
    zadd.push_back(ctx.args[i + 2]);
  }
  const CommandSpec* spec = ctx.server.commands().Find("zadd");
  CommandContext as_zadd{zadd, ctx.client, ctx.server, ctx.keyspace, ctx.reply};
  spec->handler(as_zadd);
}

// ---- GEODIST GEOHASH GEOPOS ----

// GEODIST key member1 member2 [unit]
void CmdGeodist(CommandContext& ctx) {
  double to_meter = 1;
  if (ctx.args.size() == 5) {
    std::optional<double> m = ParseUnit(ctx, ctx.args[4]);
    if (!m) return;
    to_meter = *m;
  } else if (ctx.args.size() > 5) {
    return ctx.reply.Error(errors::kSyntax);
  }
  bool wrong_type;
  const ZSetObject* z = ReadGeoSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  if (z == nullptr) return ctx.reply.Null();
  std::optional<geo::Point> a = PositionOf(*z, ctx.args[2]);
  std::optional<geo::Point> b = PositionOf(*z, ctx.args[3]);
  if (!a || !b) return ctx.reply.Null();
  char buf[128];
  const int n = std::snprintf(buf, sizeof buf, "%.4f", geo::Distance(*a, *b) / to_meter);
  ctx.reply.Bulk(std::string_view(buf, static_cast<size_t>(n)));
}

// GEOHASH key [member ...]
void CmdGeohash(CommandContext& ctx) {
  bool wrong_type;
  const ZSetObject* z = ReadGeoSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.ArrayLen(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::optional<double> score = z != nullptr ? z->Score(ctx.args[i]) : std::nullopt;
    if (!score) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(geo::GeohashString(*score));
    }
  }
}

// GEOPOS key [member ...]
void CmdGeopos(CommandContext& ctx) {
  bool wrong_type;
  const ZSetObject* z = ReadGeoSet(ctx, ctx.args[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.ArrayLen(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::optional<geo::Point> p = z != nullptr ? PositionOf(*z, ctx.args[i]) : std::nullopt;
    if (!p) {
      ctx.reply.NullArray();
      continue;
    }
    ctx.reply.ArrayLen(2);
    ctx.reply.HumanDouble(p->longitude);
    ctx.reply.HumanDouble(p->latitude);
  }
}

// ---- GEOSEARCH GEOSEARCHSTORE GEORADIUS GEORADIUSBYMEMBER ----

enum SearchFlags : unsigned {
  kRadiusCoords = 1,  // GEORADIUS: longitude latitude radius unit
  kRadiusMember = 2,  // GEORADIUSBYMEMBER: member radius unit
  kNoStore = 4,       // the _RO forms
  kSearch = 8,        // GEOSEARCH: FROM... BY...
  kSearchStore = 16,  // GEOSEARCHSTORE destination source ...
};

struct Found {
  std::string_view member;
  double score;
  double distance;  // meters, then in the request's unit
  geo::Point position;
};

// Every member inside the shape, in Redis's order: the search cells one
// after another, each in score order; with `limit` (COUNT ... ANY) it stops
// once that many are found.
std::vector<Found> Search(const ZSetObject& z, const geo::Shape& shape, size_t limit) {
  std::vector<Found> found;
  const std::array<geo::Cell, 9> cells = geo::SearchCells(shape);
  int last = -1;
  for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
    const geo::Cell& c = cells[i];
    if (c.empty()) continue;
    // Huge radii make neighbours coincide: a cell like the one just read
    // is skipped.
    if (last >= 0 && c.bits == cells[last].bits && c.step == cells[last].step) continue;
    if (!found.empty() && limit != 0 && found.size() >= limit) break;
    const geo::Range scores = geo::ScoresOf(c);
    store::ScoreRange range{scores.min, scores.max, false, true};
    z.ForEachInRange(range, [&](std::string_view member, double score) {
      if (!found.empty() && limit != 0 && found.size() >= limit) return false;
      const geo::Point p = geo::PointOfScore(score);
      double distance;
      if (geo::Within(shape, p, &distance)) found.push_back({member, score, distance, p});
      return true;
    });
    last = i;
  }
  return found;
}

void SearchGeneric(CommandContext& ctx, size_t src, unsigned flags) {
  const Args& a = ctx.args;
  const size_t argc = a.size();
  std::optional<std::string_view> store_key;
  bool store_dist = false;
  bool wrong_type;
  const ZSetObject* z = ReadGeoSet(ctx, a[src], &wrong_type);
  if (wrong_type) return;
  geo::Shape shape;
  size_t base = 0;
  if (flags & kRadiusCoords) {
    base = 6;
    std::optional<geo::Point> c = ParsePosition(ctx, a[2], a[3]);
    if (!c) return;
    shape.center = *c;
    if (!ParseRadius(ctx, a[4], a[5], &shape)) return;
  } else if ((flags & kRadiusMember) && z == nullptr) {
    base = 5;  // parsed on, to know which empty reply to give
  } else if (flags & kRadiusMember) {
    base = 5;
    std::optional<geo::Point> c = PositionOf(*z, a[2]);
    if (!c) return ctx.reply.Error(errors::kGeoCouldNotDecodeMember);
    shape.center = *c;
    if (!ParseRadius(ctx, a[3], a[4], &shape)) return;
  } else {
    base = 2;
    if (flags & kSearchStore) {
      base = 3;
      store_key = a[1];
    }
  }
  bool with_dist = false, with_hash = false, with_coord = false, any = false;
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  enum class Sort { kNone, kAsc, kDesc } sort = Sort::kNone;
  int64_t count = 0;
  const size_t remaining = argc - base;
  for (size_t i = 0; i < remaining; ++i) {
    const std::string& arg = a[base + i];
    if (EqualsIgnoreCase(arg, "withdist")) {
      with_dist = true;
    } else if (EqualsIgnoreCase(arg, "withhash")) {
      with_hash = true;
    } else if (EqualsIgnoreCase(arg, "withcoord")) {
      with_coord = true;
    } else if (EqualsIgnoreCase(arg, "any")) {
      any = true;
    } else if (EqualsIgnoreCase(arg, "asc")) {
      sort = Sort::kAsc;
    } else if (EqualsIgnoreCase(arg, "desc")) {
      sort = Sort::kDesc;
    } else if (EqualsIgnoreCase(arg, "count") && i + 1 < remaining) {
      std::optional<int64_t> n = store::ParseInt64(a[base + i + 1]);
      if (!n) return ctx.reply.Error(errors::kNotInteger);
      if (*n <= 0) return ctx.reply.Error(errors::kGeoCountMustBePositive);
      count = *n;
      ++i;
    } else if ((EqualsIgnoreCase(arg, "store") || EqualsIgnoreCase(arg, "storedist")) &&
               i + 1 < remaining && !(flags & kNoStore) && !(flags & kSearch)) {
      store_key = a[base + i + 1];
      store_dist = EqualsIgnoreCase(arg, "storedist");
      ++i;
    } else if (EqualsIgnoreCase(arg, "storedist") && (flags & kSearch) && (flags & kSearchStore)) {
      store_dist = true;
    } else if (EqualsIgnoreCase(arg, "frommember") && i + 1 < remaining && (flags & kSearch) &&
               !from_lonlat) {
      if (z != nullptr) {
        std::optional<geo::Point> c = PositionOf(*z, a[base + i + 1]);
        if (!c) return ctx.reply.Error(errors::kGeoCouldNotDecodeMember);
        shape.center = *c;
      }
      from_member = true;
      ++i;
    } else if (EqualsIgnoreCase(arg, "fromlonlat") && i + 2 < remaining && (flags & kSearch) &&
               !from_member) {
      std::optional<geo::Point> c = ParsePosition(ctx, a[base + i + 1], a[base + i + 2]);
      if (!c) return;
      shape.center = *c;
      from_lonlat = true;
      i += 2;
    } else if (EqualsIgnoreCase(arg, "byradius") && i + 2 < remaining && (flags & kSearch) &&
               !by_box) {
      if (!ParseRadius(ctx, a[base + i + 1], a[base + i + 2], &shape)) return;
      by_radius = true;
      i += 2;
    } else if (EqualsIgnoreCase(arg, "bybox") && i + 3 < remaining && (flags & kSearch) &&
               !by_radius) {
      if (!ParseBox(ctx, a[base + i + 1], a[base + i + 2], a[base + i + 3], &shape)) return;
      by_box = true;
      i += 3;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  if (store_key && (with_dist || with_hash || with_coord)) {
    return ctx.reply.Error(
        errors::Format(errors::kGeoStoreIncompatible,
                       {(flags & kSearchStore) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS"}));
  }
  if ((flags & kSearch) && !(from_member || from_lonlat)) {
    return ctx.reply.Error(errors::Format(errors::kGeoNeedFrom, {a[0]}));
  }
  if ((flags & kSearch) && !(by_radius || by_box)) {
    return ctx.reply.Error(errors::Format(errors::kGeoNeedBy, {a[0]}));
  }
  if (any && count == 0) return ctx.reply.Error(errors::kGeoAnyNeedsCount);
  if (z == nullptr) {
    if (!store_key) return ctx.reply.ArrayLen(0);
    if (ctx.keyspace.Delete(ctx.db(), *store_key)) ctx.Notify(kNotifyGeneric, "del", *store_key);
    return ctx.reply.Integer(0);
  }
  // COUNT without an order means the nearest ones.
  if (count != 0 && sort == Sort::kNone && !any) sort = Sort::kAsc;
  std::vector<Found> found = Search(*z, shape, any ? static_cast<size_t>(count) : 0);
  if (found.empty() && !store_key) return ctx.reply.ArrayLen(0);
  const size_t returned =
      count == 0 ? found.size() : std::min(found.size(), static_cast<size_t>(count));
  if (sort == Sort::kAsc) {
    std::stable_sort(found.begin(), found.end(),
                     [](const Found& x, const Found& y) { return x.distance < y.distance; });
  } else if (sort == Sort::kDesc) {
    std::stable_sort(found.begin(), found.end(),
                     [](const Found& x, const Found& y) { return x.distance > y.distance; });
  }
  for (size_t i = 0; i < returned; ++i) found[i].distance /= shape.conversion;
  if (!store_key) {
    const size_t options = (with_dist ? 1 : 0) + (with_hash ? 1 : 0) + (with_coord ? 1 : 0);
    ctx.reply.ArrayLen(returned);
    for (size_t i = 0; i < returned; ++i) {
      const Found& f = found[i];
      if (options > 0) ctx.reply.ArrayLen(options + 1);
      ctx.reply.Bulk(f.member);
      if (with_dist) {
        char buf[128];
        const int n = std::snprintf(buf, sizeof buf, "%.4f", f.distance);
        ctx.reply.Bulk(std::string_view(buf, static_cast<size_t>(n)));
      }
      if (with_hash) ctx.reply.Integer(static_cast<int64_t>(f.score));
      if (with_coord) {
        ctx.reply.ArrayLen(2);
        ctx.reply.HumanDouble(f.position.longitude);
        ctx.reply.HumanDouble(f.position.latitude);
      }
    }
    return;
  }
  auto* result = new ZSetObject();
  for (size_t i = 0; i < returned; ++i) {
    result->Set(found[i].member, store_dist ? found[i].distance : found[i].score);
  }
  StoreCollection(
      ctx, *store_key, result,
      {kNotifyZset, (flags & (kSearch | kSearchStore)) ? "geosearchstore" : "georadiusstore"});
}

void CmdGeoradius(CommandContext& ctx) { SearchGeneric(ctx, 1, kRadiusCoords); }
void CmdGeoradiusRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kRadiusCoords | kNoStore); }
void CmdGeoradiusbymember(CommandContext& ctx) { SearchGeneric(ctx, 1, kRadiusMember); }
void CmdGeoradiusbymemberRo(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kRadiusMember | kNoStore);
}
void CmdGeosearch(CommandContext& ctx) { SearchGeneric(ctx, 1, kSearch); }
void CmdGeosearchstore(CommandContext& ctx) { SearchGeneric(ctx, 2, kSearch | kSearchStore); }

}  // namespace

void RegisterGeoFamily(CommandRegistry& r) {
  using enum KeySpecFlag;
  r.Register(
      {.name = "geoadd",
       .arity = -5,
       .flags = kWrite | kDenyOom,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdGeoadd,
       .acl_categories = AclCategory::kGeo,
       .key_spec_flags = {kRW | kUpdate},
       .summary = "Add one or more geospatial items in the geospatial index represented using a "
                  "sorted set",
       .since = "3.2.0",
       .group = "geo",
       .complexity =
           "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
       .history = {{"6.2.0", "Added the `CH`, `NX` and `XX` options."}},
       .arguments = {ArgKey("key", 0),
                     ArgOneOf("condition", {ArgToken("nx", "NX"), ArgToken("xx", "XX")})
                         .Since("6.2.0")
                         .Optional(),
                     ArgToken("change", "CH").Since("6.2.0").Optional(),
                     ArgBlock("longitude_latitude_member",
                              {ArgDouble("longitude"), ArgDouble("latitude"), ArgString("member")})
                         .Multiple()}});
  r.Register({.name = "geodist",
              .arity = -4,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdGeodist,
              .acl_categories = AclCategory::kGeo,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Returns the distance between two members of a geospatial index",
              .since = "3.2.0",
              .group = "geo",
              .complexity = "O(log(N))",
              .arguments = {ArgKey("key", 0), ArgString("member1"), ArgString("member2"),
                            ArgOneOf("unit", {ArgToken("m", "M"), ArgToken("km", "KM"),
                                              ArgToken("ft", "FT"), ArgToken("mi", "MI")})
                                .Optional()}});
  r.Register({.name = "geohash",
              .arity = -2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdGeohash,
              .acl_categories = AclCategory::kGeo,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Returns members of a geospatial index as standard geohash strings",
              .since = "3.2.0",
              .group = "geo",
              .complexity = "O(log(N)) for each member requested, where N is the number of "
                            "elements in the sorted set.",
              .arguments = {ArgKey("key", 0), ArgString("member").Multiple()}});
  r.Register({.name = "geopos",
              .arity = -2,
              .flags = kReadonly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .handler = CmdGeopos,
              .acl_categories = AclCategory::kGeo,
              .key_spec_flags = {kRO | kAccess},
              .summary = "Returns longitude and latitude of members of a geospatial index",
              .since = "3.2.0",
              .group = "geo",
              .complexity = "O(N) where N is the number of members requested.",
              .arguments = {ArgKey("key", 0), ArgString("member").Multiple()}});
  r.Register(
      {.name = "georadius",
       .arity = -6,
       .flags = kWrite | kDenyOom,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdGeoradius,
       .acl_categories = AclCategory::kGeo,
       .key_specs = {KeySpec::Index(1, kRO | kAccess), KeySpec::Keyword("STORE", 6, kOW | kUpdate),
                     KeySpec::Keyword("STOREDIST", 6, kOW | kUpdate)},
       .summary = "Query a sorted set representing a geospatial index to fetch members matching a "
                  "given maximum distance from a point",
       .since = "3.2.0",
       .group = "geo",
       .complexity =
           "O(N+log(M)) where N is the number of elements inside the bounding box of the circular "
           "area delimited by center and radius and M is the number of items inside the index.",
       .deprecated = true,
       .deprecated_since = "6.2.0",
       .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
       .history = {{"6.2.0", "Added the `ANY` option for `COUNT`."},
                   {"7.0.0", "Added support for uppercase unit names."}},
       .arguments = {
           ArgKey("key", 0), ArgDouble("longitude"), ArgDouble("latitude"), ArgDouble("radius"),
           ArgOneOf("unit", {ArgToken("m", "M"), ArgToken("km", "KM"), ArgToken("ft", "FT"),
                             ArgToken("mi", "MI")}),
           ArgToken("withcoord", "WITHCOORD").Optional(),
           ArgToken("withdist", "WITHDIST").Optional(), ArgToken("withhash", "WITHHASH").Optional(),
           ArgBlock("count", {ArgInteger("count").Token("COUNT"),
                              ArgToken("any", "ANY").Since("6.2.0").Optional()})
               .Optional(),
           ArgOneOf("order", {ArgToken("asc", "ASC"), ArgToken("desc", "DESC")}).Optional(),
           ArgKey("key", 1).Token("STORE").Optional(),
           ArgKey("key", 2).Token("STOREDIST").Optional()}});
  r.Register(
      {.name = "georadius_ro",
       .arity = -6,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdGeoradiusRo,
       .acl_categories = AclCategory::kGeo,
       .key_spec_flags = {kRO | kAccess},
       .summary = "A read-only variant for GEORADIUS",
       .since = "3.2.10",
       .group = "geo",
       .complexity =
           "O(N+log(M)) where N is the number of elements inside the bounding box of the circular "
           "area delimited by center and radius and M is the number of items inside the index.",
       .deprecated = true,
       .deprecated_since = "6.2.0",
       .replaced_by = "`GEOSEARCH` with the `BYRADIUS` argument",
       .history = {{"6.2.0", "Added the `ANY` option for `COUNT`."}},
       .arguments = {
           ArgKey("key", 0), ArgDouble("longitude"), ArgDouble("latitude"), ArgDouble("radius"),
           ArgOneOf("unit", {ArgToken("m", "M"), ArgToken("km", "KM"), ArgToken("ft", "FT"),
                             ArgToken("mi", "MI")}),
           ArgToken("withcoord", "WITHCOORD").Optional(),
           ArgToken("withdist", "WITHDIST").Optional(), ArgToken("withhash", "WITHHASH").Optional(),
           ArgBlock("count", {ArgInteger("count").Token("COUNT"),
                              ArgToken("any", "ANY").Since("6.2.0").Optional()})
               .Optional(),
           ArgOneOf("order", {ArgToken("asc", "ASC"), ArgToken("desc", "DESC")}).Optional()}});
  r.Register(
      {.name = "georadiusbymember",
       .arity = -5,
       .flags = kWrite | kDenyOom,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdGeoradiusbymember,
       .acl_categories = AclCategory::kGeo,
       .key_specs = {KeySpec::Index(1, kRO | kAccess), KeySpec::Keyword("STORE", 5, kOW | kUpdate),
                     KeySpec::Keyword("STOREDIST", 5, kOW | kUpdate)},
       .summary = "Query a sorted set representing a geospatial index to fetch members matching a "
                  "given maximum distance from a member",
       .since = "3.2.0",
       .group = "geo",
       .complexity =
           "O(N+log(M)) where N is the number of elements inside the bounding box of the circular "
           "area delimited by center and radius and M is the number of items inside the index.",
       .deprecated = true,
       .deprecated_since = "6.2.0",
       .replaced_by =
           "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments",
       .history = {{"7.0.0", "Added support for uppercase unit names."}},
       .arguments = {
           ArgKey("key", 0), ArgString("member"), ArgDouble("radius"),
           ArgOneOf("unit", {ArgToken("m", "M"), ArgToken("km", "KM"), ArgToken("ft", "FT"),
                             ArgToken("mi", "MI")}),
           ArgToken("withcoord", "WITHCOORD").Optional(),
           ArgToken("withdist", "WITHDIST").Optional(), ArgToken("withhash", "WITHHASH").Optional(),
           ArgBlock("count",
                    {ArgInteger("count").Token("COUNT"), ArgToken("any", "ANY").Optional()})
               .Optional(),
           ArgOneOf("order", {ArgToken("asc", "ASC"), ArgToken("desc", "DESC")}).Optional(),
           ArgKey("key", 1).Token("STORE").Optional(),
           ArgKey("key", 2).Token("STOREDIST").Optional()}});
  r.Register(
      {.name = "georadiusbymember_ro",
       .arity = -5,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdGeoradiusbymemberRo,
       .acl_categories = AclCategory::kGeo,
       .key_spec_flags = {kRO | kAccess},
       .summary = "A read-only variant for GEORADIUSBYMEMBER",
       .since = "3.2.10",
       .group = "geo",
       .complexity =
           "O(N+log(M)) where N is the number of elements inside the bounding box of the circular "
           "area delimited by center and radius and M is the number of items inside the index.",
       .deprecated = true,
       .deprecated_since = "6.2.0",
       .replaced_by = "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
       .arguments = {
           ArgKey("key", 0), ArgString("member"), ArgDouble("radius"),
           ArgOneOf("unit", {ArgToken("m", "M"), ArgToken("km", "KM"), ArgToken("ft", "FT"),
                             ArgToken("mi", "MI")}),
           ArgToken("withcoord", "WITHCOORD").Optional(),
           ArgToken("withdist", "WITHDIST").Optional(), ArgToken("withhash", "WITHHASH").Optional(),
           ArgBlock("count",
                    {ArgInteger("count").Token("COUNT"), ArgToken("any", "ANY").Optional()})
               .Optional(),
           ArgOneOf("order", {ArgToken("asc", "ASC"), ArgToken("desc", "DESC")}).Optional()}});
  r.Register(
      {.name = "geosearch",
       .arity = -7,
       .flags = kReadonly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdGeosearch,
       .acl_categories = AclCategory::kGeo,
       .key_spec_flags = {kRO | kAccess},
       .summary = "Query a sorted set representing a geospatial index to fetch members inside an "
                  "area of a box or a circle.",
       .since = "6.2.0",
       .group = "geo",
       .complexity =
           "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area "
           "around the shape provided as the filter and M is the number of items inside the shape",
       .history = {{"7.0.0", "Added support for uppercase unit names."}},
       .arguments = {
           ArgKey("key", 0),
           ArgOneOf("from",
                    {ArgString("member").Token("FROMMEMBER"),
                     ArgBlock("longitude_latitude", {ArgDouble("longitude"), ArgDouble("latitude")})
                         .Token("FROMLONLAT")}),
           ArgOneOf(
               "by",
               {ArgBlock("circle",
                         {ArgDouble("radius").Token("BYRADIUS"),
                          ArgOneOf("unit", {ArgToken("m", "M"), ArgToken("km", "KM"),
                                            ArgToken("ft", "FT"), ArgToken("mi", "MI")})}),
                ArgBlock("box", {ArgDouble("width").Token("BYBOX"), ArgDouble("height"),
                                 ArgOneOf("unit", {ArgToken("m", "M"), ArgToken("km", "KM"),
                                                   ArgToken("ft", "FT"), ArgToken("mi", "MI")})})}),
           ArgOneOf("order", {ArgToken("asc", "ASC"), ArgToken("desc", "DESC")}).Optional(),
           ArgBlock("count",
                    {ArgInteger("count").Token("COUNT"), ArgToken("any", "ANY").Optional()})
               .Optional(),
           ArgToken("withcoord", "WITHCOORD").Optional(),
           ArgToken("withdist", "WITHDIST").Optional(),
           ArgToken("withhash", "WITHHASH").Optional()}});
  r.Register(
      {.name = "geosearchstore",
       .arity = -8,
       .flags = kWrite | kDenyOom,
       .first_key = 1,
       .last_key = 2,
       .step = 1,
       .handler = CmdGeosearchstore,
       .acl_categories = AclCategory::kGeo,
       .key_spec_flags = {kOW | kUpdate, kRO | kAccess},
       .summary = "Query a sorted set representing a geospatial index to fetch members inside an "
                  "area of a box or a circle, and store the result in another key.",
       .since = "6.2.0",
       .group = "geo",
       .complexity =
           "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area "
           "around the shape provided as the filter and M is the number of items inside the shape",
       .history = {{"7.0.0", "Added support for uppercase unit names."}},
       .arguments = {
           ArgKey("destination", 0), ArgKey("source", 1),
           ArgOneOf("from",
                    {ArgString("member").Token("FROMMEMBER"),
                     ArgBlock("longitude_latitude", {ArgDouble("longitude"), ArgDouble("latitude")})
                         .Token("FROMLONLAT")}),
           ArgOneOf(
               "by",
               {ArgBlock("circle",
                         {ArgDouble("radius").Token("BYRADIUS"),
                          ArgOneOf("unit", {ArgToken("m", "M"), ArgToken("km", "KM"),
                                            ArgToken("ft", "FT"), ArgToken("mi", "MI")})}),
                ArgBlock("box", {ArgDouble("width").Token("BYBOX"), ArgDouble("height"),
                                 ArgOneOf("unit", {ArgToken("m", "M"), ArgToken("km", "KM"),
                                                   ArgToken("ft", "FT"), ArgToken("mi", "MI")})})}),
           ArgOneOf("order", {ArgToken("asc", "ASC"), ArgToken("desc", "DESC")}).Optional(),
           ArgBlock("count",
                    {ArgInteger("count").Token("COUNT"), ArgToken("any", "ANY").Optional()})
               .Optional(),
           ArgToken("storedist", "STOREDIST").Optional()}});
}

}  // namespace stashd::server
