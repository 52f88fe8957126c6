// The simulator's pseudo-random numbers: small, fast and identical on every platform.
//
// Every random quantity of the synthetic organisation is drawn from its own stream, seeded from
// (run seed, stream kind, tenant, person, week) through StreamSeed(). A person's week therefore
// does not depend on how many other people or weeks were generated, nor in which order, nor on the
// standard library's (implementation-defined) distributions: only integer arithmetic and the
// libm functions log/exp/sqrt/cos are used.
//
// Rng is xoshiro256** (Blackman & Vigna) seeded through splitmix64. Not thread-safe: give each
// thread its own Rng. Not cryptographic: never use it for secrets.
#pragma once

#include <cmath>
#include <cstdint>

namespace vivalink::sim {

// splitmix64 step: advances state and returns the next output.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A well-mixed 64-bit hash of one value (the splitmix64 finaliser).
inline uint64_t Mix64(uint64_t x) {
  uint64_t s = x;
  return SplitMix64(s);
}

// What a stream is for; part of the seed so that streams of different kinds never coincide.
enum class Stream : uint64_t {
  kTenant = 1,      // tenant identity, holiday calendar
  kPerson = 2,      // a person's static attributes and behavioural baselines
  kPersonWeek = 3,  // a person's metrics in one week
  kOutcome = 4,     // the partner outcomes of a person-week (noise of the planted model)
  kCrm = 5,         // the mess of the partner's CRM export
  kPartner = 6,     // partner application identity
  kStatic = 7,      // static per-person partner data (attrition)
  kCalendar = 8,    // a person-week of Outlook calendar events (sim/calendar.h)
};

// Seed of the stream (seed, kind, a, b, c): a hash of all five, order-sensitive.
inline uint64_t StreamSeed(uint64_t seed, Stream kind, uint64_t a = 0, uint64_t b = 0,
                           uint64_t c = 0) {
  uint64_t h = Mix64(seed ^ 0x5BD1E9955BD1E995ULL);
  h = Mix64(h ^ static_cast<uint64_t>(kind));
  h = Mix64(h ^ (a + 0x632BE59BD9B4E019ULL));
  h = Mix64(h ^ (b + 0x8CB92BA72F3D8DD7ULL));
  return Mix64(h ^ (c + 0xA0761D6478BD642FULL));
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t sm = seed;
    for (uint64_t& w : s_) w = SplitMix64(sm);
  }
  Rng(uint64_t seed, Stream kind, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0)
      : Rng(StreamSeed(seed, kind, a, b, c)) {}

  // Next 64 random bits (xoshiro256**).
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n); n > 0. Multiply-shift (Lemire) without rejection: the bias is
  // below n / 2^64, irrelevant for a simulator.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  bool Bernoulli(double p) { return Uniform() < p; }

  // Standard normal by Box-Muller (cosine branch only, so each call uses exactly two uniforms and
  // the stream position never depends on a cached value).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]: log is finite
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }
  // exp(N(mu, sigma)): median exp(mu).
  double LogNormal(double mu, double sigma) { return std::exp(Normal(mu, sigma)); }
  // Multiplicative noise with median 1.
  double Jitter(double sigma) { return std::exp(sigma * Normal()); }

  // Poisson(lambda): Knuth's product method below 30, a rounded normal approximation above
  // (the approximation is good to a few percent there and keeps the cost bounded).
  int64_t Poisson(double lambda) {
    if (!(lambda > 0.0)) return 0;
    if (lambda < 30.0) {
      const double limit = std::exp(-lambda);
      int64_t k = 0;
      double p = Uniform();
      while (p > limit) {
        ++k;
        p *= Uniform();
      }
      return k;
    }
    const double x = std::floor(Normal(lambda, std::sqrt(lambda)) + 0.5);
    return x < 0.0 ? 0 : static_cast<int64_t>(x);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace vivalink::sim
