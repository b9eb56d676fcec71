// Geo: positions on the earth kept as sorted-set scores, as Redis does it.
//
// A (longitude, latitude) pair becomes a 52-bit geohash: both coordinates
// are scaled to 26-bit cells of the Web Mercator ranges (longitude -180..180,
// latitude -85.05112878..85.05112878) and their bits interleaved, longitude
// in the odd bits. The hash, as a double, is the member's score, so members
// near each other have near scores and a search reads a few score ranges:
// the cell holding the center at a resolution fitted to the radius, and its
// eight neighbours; each member found is then checked exactly (haversine
// distance on a sphere of Redis's radius, or the box's sides).
//
// Everything here follows Redis 7.0's geohash.c / geohash_helper.c step for
// step (written from its documented algorithm), so positions, distances,
// GEOHASH strings and the order of unsorted results match Redis's.
//
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace stashd::store::geo {

inline constexpr double kLongitudeMin = -180;
inline constexpr double kLongitudeMax = 180;
inline constexpr double kLatitudeMin = -85.05112878;
inline constexpr double kLatitudeMax = 85.05112878;
inline constexpr int kStepMax = 26;  // 52 bits
inline constexpr double kEarthRadiusMeters = 6372797.560856;
inline constexpr double kMercatorMax = 20037726.37;

// A cell: `bits` interleaved, at `step` bits per coordinate. Zero bits and
// step mean "no cell" (an excluded neighbour).
struct Cell {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool empty() const { return bits == 0 && step == 0; }
};

struct Range {
  double min = 0;
  double max = 0;
};
struct Area {
  Cell cell;
  Range longitude;
  Range latitude;
};

struct Point {
  double longitude = 0;
  double latitude = 0;
};

// True if the pair can be stored (GEOADD's check).
bool ValidPosition(double longitude, double latitude);

// The cell of a position at `step` (1..26). REQUIRES: ValidPosition.
Cell Encode(double longitude, double latitude, int step = kStepMax);
// The same over arbitrary ranges (GEOHASH uses latitude -90..90).
Cell EncodeIn(Range longitude_range, Range latitude_range, double longitude, double latitude,
              int step);
// The bounds of a cell.
Area Decode(Cell cell);
// The center of a cell, clamped to the valid ranges: where a member is.
Point CenterOf(const Area& area);
// A member's position from its score (a 52-bit hash).
Point PointOfScore(double score);
// The score of a position (its 52-bit hash).
double ScoreOf(double longitude, double latitude);

// The 11-character GEOHASH string of a member's score (standard geohash
// alphabet, latitude range -90..90).
std::string GeohashString(double score);

// Great-circle distance in meters, as Redis computes it.
double Distance(Point a, Point b);
// Distance along a meridian.
double LatitudeDistance(double lat1, double lat2);

// A search shape: sizes in the request's unit, `conversion` meters per unit
// (kept apart, as Redis computes with them, so results round alike).
struct Shape {
  enum class Kind { kRadius, kBox } kind = Kind::kRadius;
  Point center;
  double radius = 0;  // kRadius
  double width = 0;   // kBox
  double height = 0;  // kBox
  double conversion = 1;
};

// The distance from the shape's center to `p` if `p` is inside the shape.
bool Within(const Shape& shape, Point p, double* distance_meters);

// The nine cells to read for `shape`, in Redis's order (center, north,
// south, east, west, north-east, north-west, south-east, south-west); empty
// cells are to be skipped, as are repeats of the previous cell read.
std::array<Cell, 9> SearchCells(const Shape& shape);

// The score range [min, max) of the members inside a cell.
Range ScoresOf(Cell cell);

// Unit name ("m", "km", "ft", "mi", any case) to meters; 0 if unknown.
double MetersPerUnit(const std::string& unit);

}  // namespace stashd::store::geo
