// SORT and SORT_RO over lists, sets and sorted sets, as Redis 7.0's sort.c
// does it: numeric or ALPHA order, BY a pattern (string keys, or hash
// fields with "->"; a pattern without '*' means no sorting), GET patterns
// ("#" is the element itself), LIMIT, ASC/DESC, and STORE into a list.
//
// BY and GET read keys named by the data, so the rows lock every shard
// (kLockAll), and a user who cannot read every key may not use them, as in
// Redis.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "server/acl/acl.h"
#include "server/base/ascii.h"
#include "server/commands/scope_reply.h"
#include "server/exec/client.h"
#include "server/exec/command.h"
#include "store/keyspace.h"
#include "store/string_ops.h"
#include "store/types/hash.h"
#include "store/types/list.h"
#include "store/types/zset.h"

namespace stashd::server {
namespace {

using store::Keyspace;
using store::ValueType;

struct SortItem {
  std::string element;
  double score = 0;
  std::optional<std::string> by;  // ALPHA with BY: the value compared
};

// Redis's lookupKeyByPattern: the string at the key the pattern names for
// `element` (or the hash field after "->"), "#" being the element itself;
// nullopt if there is none.
std::optional<std::string> LookupByPattern(CommandContext& ctx, std::string_view pattern,
                                           std::string_view element) {
  // Patterns and elements are C strings to Redis: they end at a NUL byte.
  pattern = pattern.substr(0, pattern.find('\0'));
  if (pattern == "#") return std::string(element);
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  size_t key_end = pattern.size();
  const size_t arrow = pattern.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < pattern.size()) {
    field = pattern.substr(arrow + 2);
    key_end = arrow;
  }
  std::string key(pattern.substr(0, star));
  key.append(element.substr(0, element.find('\0')));
  key.append(pattern.substr(star + 1, key_end - star - 1));
  auto v = ctx.keyspace.Find(ctx.db(), key, Keyspace::Lookup::kRead);
  if (!v) return std::nullopt;
  if (!field.empty()) {
    if (v->type != ValueType::kHash) return std::nullopt;
    std::optional<std::string_view> value = v->As<store::HashObject>().Get(field);
    if (!value) return std::nullopt;
    return std::string(*value);
  }
  if (v->type != ValueType::kString) return std::nullopt;
  return std::string(v->str);
}

// Redis's GET/STORE keys of SORT for the ACL and COMMAND GETKEYS: the last
// "STORE key", skipping the arguments of LIMIT, GET and BY.
void SortStoreKey(const Args& args, absl::FunctionRef<void(int, KeySpecFlags)> add) {
  int store = -1;
  for (size_t i = 2; i < args.size(); ++i) {
    if (EqualsIgnoreCase(args[i], "limit")) {
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "get") || EqualsIgnoreCase(args[i], "by")) {
      i += 1;
    } else if (EqualsIgnoreCase(args[i], "store") && i + 1 < args.size()) {
      store = static_cast<int>(i) + 1;
    }
  }
  if (store > 0) add(store, KeySpecFlag::kOW | KeySpecFlag::kUpdate);
}

// strcmp-like comparison of two strings as Redis's compareStringObjects.
int CompareBytes(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// strcoll in the C locale: as a C string, up to the first NUL.
int CompareCStrings(std::string_view a, std::string_view b) {
  return CompareBytes(a.substr(0, a.find('\0')), b.substr(0, b.find('\0')));
}

void SortGeneric(CommandContext& ctx, bool readonly) {
  const Args& a = ctx.args;
  bool desc = false, alpha = false, dontsort = false;
  int64_t limit_start = 0, limit_count = -1;
  std::optional<std::string_view> store_key;
  std::optional<std::string_view> sort_by;
  std::vector<std::string_view> gets;
  const bool full_key_access = AclKeyFilter(ctx.client) == nullptr;
  for (size_t j = 2; j < a.size(); ++j) {
    const size_t left = a.size() - j - 1;
    if (EqualsIgnoreCase(a[j], "asc")) {
      desc = false;
    } else if (EqualsIgnoreCase(a[j], "desc")) {
      desc = true;
    } else if (EqualsIgnoreCase(a[j], "alpha")) {
      alpha = true;
    } else if (EqualsIgnoreCase(a[j], "limit") && left >= 2) {
      std::optional<int64_t> start = store::ParseInt64(a[j + 1]);
      std::optional<int64_t> count = start ? store::ParseInt64(a[j + 2]) : std::nullopt;
      if (!start || !count) return ctx.reply.Error(errors::kNotInteger);
      limit_start = *start;
      limit_count = *count;
      j += 2;
    } else if (!readonly && EqualsIgnoreCase(a[j], "store") && left >= 1) {
      store_key = a[j + 1];
      ++j;
    } else if (EqualsIgnoreCase(a[j], "by") && left >= 1) {
      sort_by = a[j + 1];
      // A BY pattern without '*' names no key: keep the data's own order.
      if (std::string_view(*sort_by).substr(0, sort_by->find('\0')).find('*') ==
          std::string_view::npos) {
        dontsort = true;
      } else if (!full_key_access) {
        return ctx.reply.Error(errors::kSortByDenied);
      }
      ++j;
    } else if (EqualsIgnoreCase(a[j], "get") && left >= 1) {
      if (!full_key_access) return ctx.reply.Error(errors::kSortGetDenied);
      gets.push_back(a[j + 1]);
      ++j;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }

  auto v = ctx.keyspace.Find(ctx.db(), a[1], Keyspace::Lookup::kRead);
  if (v && v->type != ValueType::kSet && v->type != ValueType::kList &&
      v->type != ValueType::kZSet) {
    return ctx.reply.Error(errors::kWrongType);
  }
  const ValueType type = v ? v->type : ValueType::kList;
  // A set has no order of its own: sorted ALPHA when the result is stored
  // or goes to a script, so neither depends on the set's layout (Redis).
  if (dontsort && type == ValueType::kSet && (store_key || ctx.client.in_script)) {
    dontsort = false;
    alpha = true;
    sort_by.reset();
  }
  const int64_t total = v ? static_cast<int64_t>(v->object->Size()) : 0;
  // Clamped to the size first, so start + count cannot overflow.
  int64_t start = std::min(std::max<int64_t>(limit_start, 0), total);
  limit_count = std::min(std::max<int64_t>(limit_count, -1), total);
  int64_t end = limit_count < 0 ? total - 1 : start + limit_count - 1;
  if (start >= total) {
    start = total - 1;
    end = total - 2;
  }
  if (end >= total) end = total - 1;

  std::vector<SortItem> items;
  if (v && dontsort && type != ValueType::kSet) {
    // The data's own order, only the LIMIT range, reversed by DESC.
    if (end >= start) {
      items.reserve(static_cast<size_t>(end - start + 1));
      std::vector<std::string> all;
      all.reserve(static_cast<size_t>(total));
      v->object->ForEachElement(
          [&](const store::ElementView& e) { all.push_back(std::string(e.member)); });
      for (int64_t i = start; i <= end; ++i) {
        items.push_back({std::move(all[static_cast<size_t>(desc ? total - 1 - i : i)]), 0, {}});
      }
      end -= start;
      start = 0;
    }
  } else if (v) {
    items.reserve(static_cast<size_t>(total));
    v->object->ForEachElement([&](const store::ElementView& e) {
      items.push_back({std::string(e.member), 0, {}});
    });
  }

  bool conversion_error = false;
  if (!dontsort) {
    for (SortItem& item : items) {
      std::optional<std::string> by_value;
      if (sort_by) {
        by_value = LookupByPattern(ctx, *sort_by, item.element);
        if (!by_value) continue;
      }
      const std::string& value = sort_by ? *by_value : item.element;
      if (alpha) {
        if (sort_by) item.by = std::move(by_value);
        continue;
      }
      // strtod over the whole C string, as Redis: "" is 0, NaN refused.
      const std::string text = value.substr(0, value.find('\0'));
      char* end_ptr = nullptr;
      errno = 0;
      item.score = std::strtod(text.c_str(), &end_ptr);
      if (*end_ptr != '\0' || errno == ERANGE || std::isnan(item.score)) conversion_error = true;
    }
    const bool by_pattern = sort_by.has_value();
    const bool storing = store_key.has_value();
    auto compare = [&](const SortItem& x, const SortItem& y) {
      int cmp;
      if (!alpha) {
        if (x.score > y.score) {
          cmp = 1;
        } else if (x.score < y.score) {
          cmp = -1;
        } else {
          cmp = CompareBytes(x.element, y.element);  // deterministic ties
        }
      } else if (by_pattern) {
        if (!x.by || !y.by) {
          cmp = x.by.has_value() == y.by.has_value() ? 0 : (!x.by ? -1 : 1);
        } else {
          cmp = storing ? CompareBytes(*x.by, *y.by) : CompareCStrings(*x.by, *y.by);
        }
      } else {
        cmp = storing ? CompareBytes(x.element, y.element) : CompareCStrings(x.element, y.element);
      }
      return (desc ? -cmp : cmp) < 0;
    };
    std::stable_sort(items.begin(), items.end(), compare);
  }

  const int64_t count = end - start + 1;
  const size_t output =
      static_cast<size_t>(std::max<int64_t>(0, count)) * (gets.empty() ? 1 : gets.size());
  if (conversion_error) return ctx.reply.Error(errors::kSortScoreNotDouble);
  if (!store_key) {
    ctx.reply.ArrayLen(output);
    for (int64_t j = start; j <= end; ++j) {
      const SortItem& item = items[static_cast<size_t>(j)];
      if (gets.empty()) ctx.reply.Bulk(item.element);
      for (std::string_view pattern : gets) {
        std::optional<std::string> value = LookupByPattern(ctx, pattern, item.element);
        if (value) {
          ctx.reply.Bulk(*value);
        } else {
          ctx.reply.Null();
        }
      }
    }
    return;
  }
  auto* list = new store::ListObject();
  for (int64_t j = start; j <= end; ++j) {
    const SortItem& item = items[static_cast<size_t>(j)];
    if (gets.empty()) list->Push(store::ListObject::End::kRight, item.element);
    for (std::string_view pattern : gets) {
      std::optional<std::string> value = LookupByPattern(ctx, pattern, item.element);
      list->Push(store::ListObject::End::kRight, value ? *value : std::string());
    }
  }
  StoreCollection(ctx, *store_key, list, {kNotifyList, "sortstore"});
}

void CmdSort(CommandContext& ctx) { SortGeneric(ctx, false); }
void CmdSortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

}  // namespace

void RegisterSortFamily(CommandRegistry& r) {
  using enum KeySpecFlag;
  r.Register(
      {.name = "sort",
       .arity = -2,
       .flags = kWrite | kDenyOom | kLockAll,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdSort,
       .acl_categories = AclCategory::kSet | AclCategory::kSortedSet | AclCategory::kList |
                         AclCategory::kDangerous,
       .key_specs = {KeySpec::Index(1, kRO | kAccess),
                     KeySpec::Unknown(
                         kRO | kAccess,
                         "For the optional BY/GET keyword. It is marked 'unknown' because the key "
                         "names derive from the content of the key we sort"),
                     KeySpec::Unknown(
                         kOW | kUpdate,
                         "For the optional STORE keyword. It is marked 'unknown' because the "
                         "keyword can appear anywhere in the argument array")},
       .get_keys = SortStoreKey,
       .summary = "Sort the elements in a list, set or sorted set",
       .since = "1.0.0",
       .group = "generic",
       .complexity =
           "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
           "number of returned elements. When the elements are not sorted, complexity is O(N).",
       .arguments = {
           ArgKey("key", 0), ArgPattern("pattern").KeySpecIndex(1).Token("BY").Optional(),
           ArgBlock("offset_count", {ArgInteger("offset"), ArgInteger("count")})
               .Token("LIMIT")
               .Optional(),
           ArgPattern("pattern").KeySpecIndex(1).Token("GET").Optional().Multiple().MultipleToken(),
           ArgOneOf("order", {ArgToken("asc", "ASC"), ArgToken("desc", "DESC")}).Optional(),
           ArgToken("sorting", "ALPHA").Optional(),
           ArgKey("destination", 2).Token("STORE").Optional()}});
  r.Register(
      {.name = "sort_ro",
       .arity = -2,
       .flags = kReadonly | kLockAll,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .handler = CmdSortRo,
       .acl_categories = AclCategory::kSet | AclCategory::kSortedSet | AclCategory::kList |
                         AclCategory::kDangerous,
       .key_specs = {KeySpec::Index(1, kRO | kAccess),
                     KeySpec::Unknown(
                         kRO | kAccess,
                         "For the optional BY/GET keyword. It is marked 'unknown' because the key "
                         "names derive from the content of the key we sort")},
       .summary = "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
       .since = "7.0.0",
       .group = "generic",
       .complexity =
           "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
           "number of returned elements. When the elements are not sorted, complexity is O(N).",
       .arguments = {
           ArgKey("key", 0), ArgPattern("pattern").KeySpecIndex(1).Token("BY").Optional(),
           ArgBlock("offset_count", {ArgInteger("offset"), ArgInteger("count")})
               .Token("LIMIT")
               .Optional(),
           ArgPattern("pattern").KeySpecIndex(1).Token("GET").Optional().Multiple().MultipleToken(),
           ArgOneOf("order", {ArgToken("asc", "ASC"), ArgToken("desc", "DESC")}).Optional(),
           ArgToken("sorting", "ALPHA").Optional()}});
}

}  // namespace stashd::server
