// The resource actor on CAF's test coordinator: messages are delivered only when the test says
// so, so every assertion is about order, never about time.
#include "messages.hpp"
#include "resource_actor.hpp"

#include <caf/scheduler/test_coordinator.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace tutti;
using namespace tutti::engine;

namespace {

using do_acquire_atom = caf::atom_constant<caf::atom("doacquire")>;
using do_release_atom = caf::atom_constant<caf::atom("dorelease")>;

struct journal {
  std::vector<std::string> lines;
  std::map<std::string, ticket> slots;
};

// A requester that acquires and releases when told, and writes down what it hears.
caf::behavior requester(caf::event_based_actor* self, std::shared_ptr<journal> log,
                        std::string name) {
  return {
      [=](do_acquire_atom, const resource_actor_type& group, const caf::actor& cap) {
        slot_request ask;
        ask.caps = {cap};
        self->send(group, acquire_atom::value, std::move(ask));
      },
      [=](do_acquire_atom, const resource_actor_type& group, std::int32_t priority) {
        slot_request ask;
        ask.priority = priority;
        self->send(group, acquire_atom::value, std::move(ask));
      },
      [=](do_release_atom, const resource_actor_type& group) {
        self->send(group, release_atom::value, log->slots.at(name), call_report{});
      },
      [=](do_release_atom, const resource_actor_type& group, providers::call_errc code) {
        self->send(group, release_atom::value, log->slots.at(name),
                   call_report{code, "HTTP 500 from backend 'b'"});
      },
      [=](granted_atom, ticket, ticket slot) {
        log->slots[name] = slot;
        log->lines.push_back(name + " granted");
      },
      [=](position_atom, ticket, const std::string& group, std::uint64_t ahead) {
        log->lines.push_back(name + " waits at " + group + " behind " + std::to_string(ahead));
      },
      [=](refused_atom, ticket, const call_report& why) {
        log->lines.push_back(name + " refused: " + why.error);
      },
  };
}

struct deterministic_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;

  deterministic_system() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    announce_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
  }

  resource_actor_type spawn(std::string id, definition::concurrency_limit limit, bool is_cap,
                            definition::backoff_spec backoff = {}) {
    resource_config c;
    c.group.id = std::move(id);
    c.group.limit = limit;
    c.backend.backoff = backoff;
    c.is_cap = is_cap;
    c.has_backoff = !is_cap;
    c.notifies_positions = !is_cap;
    return sys->spawn(resource_actor, std::move(c));
  }
};

resources::group_statistics statistics(deterministic_system& d, const resource_actor_type& group) {
  resources::group_statistics stats;
  caf::scoped_actor self{*d.sys};
  self->send(group, stats_atom::value);
  d.sched->run();
  self->receive([&](resources::group_statistics& s) { stats = std::move(s); });
  return stats;
}

// Ends the actors of a test and lets them go.
template <typename... Handles>
void stop(deterministic_system& d, const Handles&... actors) {
  (caf::anon_send_exit(actors, caf::exit_reason::user_shutdown), ...);
  d.sched->run();
}

// The grants in the order they came.
std::vector<std::string> grants(const journal& log) {
  std::vector<std::string> out;
  for (const auto& line : log.lines) {
    if (line.ends_with(" granted")) {
      out.push_back(line);
    }
  }
  return out;
}

} // namespace

TEST_CASE("a request waiting for its busy group holds no place in the cap above it") {
  deterministic_system d;
  auto log = std::make_shared<journal>();
  auto cap = d.spawn("run", definition::concurrency_limit::at_most(1), true);
  auto local = d.spawn("local", definition::concurrency_limit::at_most(1), false);
  auto remote = d.spawn("remote", definition::concurrency_limit::unlimited(), false);
  auto a = d.sys->spawn(requester, log, "a");
  auto b = d.sys->spawn(requester, log, "b");
  auto c = d.sys->spawn(requester, log, "c");
  const auto cap_handle = caf::actor_cast<caf::actor>(cap);

  caf::anon_send(a, do_acquire_atom::value, local, cap_handle);
  d.sched->run();
  caf::anon_send(b, do_acquire_atom::value, local, cap_handle);
  d.sched->run();
  caf::anon_send(c, do_acquire_atom::value, remote, cap_handle);
  d.sched->run();
  CHECK(log->lines == std::vector<std::string>{"a granted", "b waits at local behind 0"});

  // a ends: b gets the local server, but c asked the cap first, so c runs first.
  caf::anon_send(a, do_release_atom::value, local);
  d.sched->run();
  CHECK(log->lines.back() == "c granted");
  caf::anon_send(c, do_release_atom::value, remote);
  d.sched->run();
  CHECK(log->lines.back() == "b granted");
  caf::anon_send(b, do_release_atom::value, local);
  d.sched->run();

  auto stats = statistics(d, local);
  CHECK(stats.peak_active == 1);
  CHECK(stats.completed == 2);
  CHECK(stats.active == 0);
  stop(d, a, b, c, cap, local, remote);
}

TEST_CASE("waiting requests leave by priority, then age, and an owner that ends gives all back") {
  deterministic_system d;
  auto log = std::make_shared<journal>();
  auto local = d.spawn("local", definition::concurrency_limit::at_most(1), false);
  auto holder = d.sys->spawn(requester, log, "holder");
  caf::anon_send(holder, do_acquire_atom::value, local, std::int32_t{5});
  d.sched->run();
  std::vector<caf::actor> waiting;
  for (auto [name, priority] : {std::pair{"low", 2}, std::pair{"first5", 5}, std::pair{"high", 9},
                                std::pair{"second5", 5}}) {
    waiting.push_back(d.sys->spawn(requester, log, name));
    caf::anon_send(waiting.back(), do_acquire_atom::value, local, std::int32_t{priority});
    d.sched->run();
  }
  // The holder ends without a release: the group takes its slot back as cancelled.
  caf::anon_send_exit(holder, caf::exit_reason::user_shutdown);
  d.sched->run();
  CHECK(grants(*log) == std::vector<std::string>{"holder granted", "high granted"});
  // waiting holds low, first5, high, second5: each ends its call as soon as it is granted.
  for (std::size_t i : {2, 1, 3}) {
    caf::anon_send(waiting[i], do_release_atom::value, local);
    d.sched->run();
  }
  CHECK(grants(*log) == std::vector<std::string>{"holder granted", "high granted", "first5 granted",
                                                 "second5 granted", "low granted"});
  auto stats = statistics(d, local);
  CHECK(stats.cancelled == 1); // the holder
  CHECK(stats.completed == 3);
  CHECK(stats.active == 1); // low, still calling
  CHECK(stats.peak_active == 1);
  for (const auto& actor : waiting) {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  }
  stop(d, local);
}

TEST_CASE("a new limit takes effect at once for the requests already waiting") {
  deterministic_system d;
  auto log = std::make_shared<journal>();
  auto local = d.spawn("local", definition::concurrency_limit::at_most(1), false);
  std::vector<caf::actor> requesters;
  for (const auto* name : {"a", "b", "c"}) {
    requesters.push_back(d.sys->spawn(requester, log, name));
    caf::anon_send(requesters.back(), do_acquire_atom::value, local, std::int32_t{5});
    d.sched->run();
  }
  CHECK(statistics(d, local).active == 1);
  caf::anon_send(local, limit_atom::value, false, std::int32_t{3});
  d.sched->run();
  auto stats = statistics(d, local);
  CHECK(stats.active == 3);
  CHECK(stats.pending == 0);
  CHECK(stats.limit == 3);
  for (const auto& actor : requesters) {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  }
  stop(d, local);
}

TEST_CASE("a request that ends while a cap decides gives the cap's slot back once granted") {
  deterministic_system d;
  auto log = std::make_shared<journal>();
  auto cap = d.spawn("engine", definition::concurrency_limit::at_most(1), true);
  auto remote = d.spawn("remote", definition::concurrency_limit::unlimited(), false);
  auto a = d.sys->spawn(requester, log, "a");
  auto b = d.sys->spawn(requester, log, "b");
  const auto cap_handle = caf::actor_cast<caf::actor>(cap);
  caf::anon_send(a, do_acquire_atom::value, remote, cap_handle);
  d.sched->run();
  caf::anon_send(b, do_acquire_atom::value, remote, cap_handle); // waits at the cap
  d.sched->run();
  caf::anon_send_exit(b, caf::exit_reason::user_shutdown); // and ends there
  d.sched->run();
  caf::anon_send(a, do_release_atom::value, remote); // the cap now grants b's request
  d.sched->run();
  CHECK(grants(*log) == std::vector<std::string>{"a granted"});
  auto stats = statistics(d, cap);
  CHECK(stats.active == 0);
  CHECK(stats.pending == 0);
  CHECK(statistics(d, remote).active == 0);
  stop(d, a, cap, remote);
}

TEST_CASE("a probe that ends before it reached the server lets another request probe") {
  deterministic_system d;
  auto log = std::make_shared<journal>();
  definition::backoff_spec quick;
  quick.failures_before_pause = 1;
  quick.initial_pause = std::chrono::milliseconds{1};
  auto cap = d.spawn("engine", definition::concurrency_limit::at_most(1), true);
  auto server = d.spawn("server", definition::concurrency_limit::at_most(1), false, quick);
  auto other = d.spawn("other", definition::concurrency_limit::unlimited(), false);
  auto failing = d.sys->spawn(requester, log, "failing");
  auto holder = d.sys->spawn(requester, log, "holder");
  auto probe = d.sys->spawn(requester, log, "probe");
  auto after = d.sys->spawn(requester, log, "after");
  const auto cap_handle = caf::actor_cast<caf::actor>(cap);
  // One server error pauses the group for a millisecond.
  caf::anon_send(failing, do_acquire_atom::value, server, std::int32_t{5});
  d.sched->run();
  caf::anon_send(failing, do_release_atom::value, server, providers::call_errc::server_error);
  d.sched->run();
  // The cap is busy, so the probe the group lets through waits at the cap, then gives up.
  caf::anon_send(holder, do_acquire_atom::value, other, cap_handle);
  d.sched->run();
  std::this_thread::sleep_for(std::chrono::milliseconds{5}); // the pause is over
  caf::anon_send(probe, do_acquire_atom::value, server, cap_handle);
  d.sched->run();
  caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
  d.sched->run();
  // The server never saw that probe: the next request may probe it.
  caf::anon_send(after, do_acquire_atom::value, server, std::int32_t{5});
  d.sched->run();
  CHECK(grants(*log) ==
        std::vector<std::string>{"failing granted", "holder granted", "after granted"});
  stop(d, failing, holder, after, cap, server, other);
}
