// The value model: what a key can hold.
//
// A string is stored inline in its Entry (entry.h): one heap block holds the
// key and the bytes. Every other type is an Object owned through a pointer
// in its Entry: a hash, and later sets, sorted sets, lists and streams. The
// Object interface is what the keyspace and persistence need of any type,
// dispatched on the type:
//
//   - memory accounting (MemoryUsage) and the scope size policy (PayloadBytes),
//   - a deep copy (Clone) for COPY and for copy-on-write while a snapshot
//     holds the object,
//   - a stable serialized form (Serialize / DeserializeObject) for log
//     records that carry a whole value and for snapshot rows,
//   - the elements one by one (ForEachElement) for the snapshot's per-type
//     companion tables,
//   - replaying a change made inside the value (ApplyDelta): a log record
//     says "HSET field value", never the whole hash.
//
// Objects are reference counted so that key-level operations (EXPIRE,
// PERSIST, RENAME, MOVE) move the pointer into a new Entry without copying
// the value, even while a snapshot still holds the old Entry. A writer that
// finds the count above one copies the object first (copy-on-write).
//
// Thread safety: an Object is changed only under the shard lock of its key,
// and only while its reference count is one. Ref/Unref are atomic.
#pragma once

#include <absl/functional/function_ref.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace stashd::store {

// The type codes are part of the on-disk formats (log records, snapshot
// rows): never renumber them.
enum class ValueType : uint8_t {
  kString = 0,
  kList = 1,
  kSet = 2,
  kZSet = 3,
  kHash = 4,
  kStream = 5,
};

inline constexpr int64_t kNoExpiry = -1;  // the key has no deadline

// Name as TYPE reports it ("string", "hash", ...).
std::string_view TypeName(ValueType t);

// One element of a collection as the snapshot stores it: `member` is the
// field / member / list item; `value` the hash field's value (empty for
// other types); `score` the sorted set score (0 otherwise); `index` the
// position in a list (0 otherwise).
struct ElementView {
  std::string_view member;
  std::string_view value;
  double score = 0;
  int64_t index = 0;
};

class Object {
 public:
  explicit Object(ValueType type) : type_(type) {}
  virtual ~Object() = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  ValueType type() const { return type_; }

  // Number of elements. A collection that becomes empty is deleted by the
  // keyspace when the change is committed, as in Redis.
  virtual size_t Size() const = 0;
  // True if the keyspace deletes the key now: an emptied collection, except
  // a stream (Redis keeps an empty stream).
  virtual bool Empty() const { return Size() == 0; }
  // The number of rows ForEachElement gives (the snapshot's keys row
  // records it): Size() except for a stream.
  virtual size_t SnapshotRows() const { return Size(); }
  // The current encoding as OBJECT ENCODING reports it ("listpack",
  // "hashtable", "intset", "skiplist", "quicklist", "stream").
  virtual std::string_view Encoding() const = 0;
  // Bytes of data held (fields, values, members): what a scope's
  // max-value-size limits.
  virtual size_t PayloadBytes() const = 0;
  // Heap bytes used by the object, for INFO and scope statistics.
  virtual size_t MemoryUsage() const = 0;
  // About how many allocations freeing the object takes (Redis's lazyfree
  // "free effort"): one for a compact encoding, else one per element.
  // UNLINK frees a value above kLazyFreeThreshold on the background thread.
  virtual size_t FreeEffort() const { return Size(); }
  // A deep copy with a reference count of one.
  virtual Object* Clone() const = 0;
  // Appends the serialized form (see persistence/FORMAT.md, "values").
  virtual void Serialize(std::string* out) const = 0;
  // Calls fn for every element, in the type's natural order. The views must
  // stay valid until the object next changes, not only during the call: the
  // snapshot writer batches rows from views of a pinned (unchanging) object.
  virtual void ForEachElement(absl::FunctionRef<void(const ElementView&)> fn) const = 0;
  // Replays a change recorded by a writer (KeyWriter::Record). False if
  // the op or its arguments are malformed (nothing is changed then).
  virtual bool ApplyDelta(uint8_t op, std::span<const std::string_view> args) = 0;

  // Reference counting: a new object has one reference.
  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Drops a reference; deletes the object when it was the last one.
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  uint32_t refs() const { return refs_.load(std::memory_order_acquire); }

 private:
  std::atomic<uint32_t> refs_{1};
  const ValueType type_;
};

// Values whose FreeEffort() passes this are freed by UNLINK in the
// background (Redis's LAZYFREE_THRESHOLD).
inline constexpr size_t kLazyFreeThreshold = 64;

// An empty object of `type` (not kString), with one reference.
Object* NewObject(ValueType type);

// Rebuilds an object from Serialize()'s output, or nullptr if `data` is
// malformed or `type` is not a collection type this build knows.
Object* DeserializeObject(ValueType type, std::string_view data);

// Rebuilds a collection from its snapshot elements one by one: Begin, then
// Add for each element, then Finish. Returns nullptr from Finish if an
// element was malformed.
class ObjectBuilder {
 public:
  virtual ~ObjectBuilder() = default;
  virtual void Add(const ElementView& element) = 0;
  virtual Object* Finish() = 0;  // nullptr if malformed
};
// nullptr if `type` has no element-wise form in this build.
std::unique_ptr<ObjectBuilder> NewObjectBuilder(ValueType type);

// True if this build knows `type` (can load it).
bool KnownType(uint8_t type);

}  // namespace stashd::store
