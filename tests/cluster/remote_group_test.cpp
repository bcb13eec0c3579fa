// A group held by another node, on CAF's test coordinator: two nodes' proxies share one
// authority's group in-process, so every assertion is about order, never about time or
// sockets (the processes and sockets are tests/integration/cluster_cli_test.cpp).
#include "authority_protocol.hpp"
#include "messages.hpp"
#include "remote_group_actor.hpp"
#include "resource_actor.hpp"

#include <tutti/cluster/cluster_node.hpp>

#include <caf/scheduler/test_coordinator.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace tutti;
using namespace tutti::cluster;
using engine::call_report;
using engine::resource_actor_type;
using engine::slot_request;

namespace {

using do_acquire_atom = caf::atom_constant<caf::atom("doacquire")>;
using do_release_atom = caf::atom_constant<caf::atom("dorelease")>;

struct journal {
  std::vector<std::string> lines;
  std::map<std::string, ticket> slots;
};

// An agent: acquires and releases when told, and writes down what it hears.
caf::behavior requester(caf::event_based_actor* self, std::shared_ptr<journal> log,
                        std::string name) {
  return {
      [=](do_acquire_atom, const caf::actor& group, std::int32_t priority,
          std::vector<caf::actor> caps) {
        slot_request ask;
        ask.priority = priority;
        ask.tag = 7;
        ask.caps = std::move(caps);
        self->send(caf::actor_cast<resource_actor_type>(group), engine::acquire_atom::value,
                   std::move(ask));
      },
      [=](do_release_atom, const caf::actor& group) {
        self->send(caf::actor_cast<resource_actor_type>(group), engine::release_atom::value,
                   log->slots.at(name), call_report{});
      },
      [=](engine::granted_atom, ticket tag, ticket slot) {
        log->slots[name] = slot;
        log->lines.push_back(name + " granted (tag " + std::to_string(tag) + ")");
      },
      [=](engine::position_atom, ticket, const std::string& group, std::uint64_t ahead) {
        log->lines.push_back(name + " waits at " + group + " behind " + std::to_string(ahead));
      },
      [=](engine::refused_atom, ticket, const call_report& why) {
        log->lines.push_back(name + " refused: " + why.error);
      },
  };
}

// What the connector finds at the authority's address: the authority actor, or nothing.
struct network {
  caf::actor authority;
};

connector_type::behavior_type connector(connector_type::pointer, std::shared_ptr<network> net) {
  return {
      [net](caf::connect_atom, const std::string&, std::uint16_t)
          -> caf::result<caf::node_id, caf::strong_actor_ptr, std::set<std::string>> {
        if (!net->authority) {
          return caf::sec::cannot_connect_to_node;
        }
        return {caf::node_id{}, caf::actor_cast<caf::strong_actor_ptr>(net->authority),
                std::set<std::string>{}};
      },
  };
}

// An authority of one group, speaking `version`; no group when `group` is invalid.
caf::behavior authority(caf::event_based_actor*, std::string version, caf::actor group) {
  return {
      [=](hello_atom, const std::string&) { return version; },
      [=](group_atom, const std::string& server, const std::string&) {
        return group ? group_answer{group, {}}
                     : group_answer{caf::actor{}, "no backend reaches " + server};
      },
  };
}

struct cluster_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::shared_ptr<network> net = std::make_shared<network>();
  std::shared_ptr<journal> log = std::make_shared<journal>();
  connector_type connect;

  cluster_fixture() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    engine::announce_message_types(cfg);
    announce_cluster_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    connect = sys->spawn(connector, net);
  }

  ~cluster_fixture() {
    for (auto& a : actors) {
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    }
    sched->run();
  }

  // The authority's own group for the server (what a real authority's engine holds).
  caf::actor group(int limit, bool is_cap = false) {
    engine::resource_config c;
    c.group.id = is_cap ? "run" : "http://127.0.0.1:11434";
    c.group.limit = definition::concurrency_limit::at_most(limit);
    c.is_cap = is_cap;
    c.has_backoff = !is_cap;
    c.notifies_positions = !is_cap;
    return keep(caf::actor_cast<caf::actor>(sys->spawn(engine::resource_actor, std::move(c))));
  }

  void publish(caf::actor group, std::string version = protocol_version) {
    net->authority = keep(sys->spawn(authority, std::move(version), std::move(group)));
  }

  // A node's view of that group.
  caf::actor node() {
    remote_group_config c;
    c.group_id = "http://gpu-box:11434";
    c.server = "http://gpu-box:11434";
    c.authority = {"gpu-box", 4242};
    c.connector = connect;
    return keep(caf::actor_cast<caf::actor>(sys->spawn(remote_group_actor, std::move(c))));
  }

  caf::actor agent(const std::string& name) { return keep(sys->spawn(requester, log, name)); }

  void acquire(const caf::actor& agent, const caf::actor& group, std::int32_t priority = 5,
               std::vector<caf::actor> caps = {}) {
    caf::anon_send(agent, do_acquire_atom::value, group, priority, std::move(caps));
    sched->run();
  }

  void release(const caf::actor& agent, const caf::actor& group) {
    caf::anon_send(agent, do_release_atom::value, group);
    sched->run();
  }

  resources::group_statistics statistics(const caf::actor& group) {
    resources::group_statistics stats;
    caf::scoped_actor self{*sys};
    self->send(caf::actor_cast<resource_actor_type>(group), engine::stats_atom::value);
    sched->run();
    self->receive([&](resources::group_statistics& s) { stats = std::move(s); });
    return stats;
  }

  std::vector<std::string> grants() const {
    std::vector<std::string> out;
    for (const auto& line : log->lines) {
      if (line.find(" granted") != std::string::npos) {
        out.push_back(line.substr(0, line.find(' ')));
      }
    }
    return out;
  }

  std::vector<std::string> refusals() const {
    std::vector<std::string> out;
    for (const auto& line : log->lines) {
      if (line.find(" refused: ") != std::string::npos) {
        out.push_back(line);
      }
    }
    return out;
  }

  caf::actor keep(caf::actor a) {
    actors.push_back(a);
    return a;
  }

  std::vector<caf::actor> actors;
};

} // namespace

TEST_CASE_METHOD(cluster_fixture, "two nodes' requests leave the authority's one queue by "
                                  "priority, then age, whichever node sent them") {
  auto shared = group(1);
  publish(shared);
  auto node_a = node();
  auto node_b = node();
  sched->run();
  auto first = agent("first");
  acquire(first, node_a);
  acquire(agent("a-low"), node_a, 1);
  acquire(agent("b-high"), node_b, 9);
  acquire(agent("b-low"), node_b, 1);
  CHECK(statistics(shared).pending == 3);
  release(first, node_a);
  CHECK(grants() == std::vector<std::string>{"first", "b-high"});
  // The agent hears its own tag and the node's name of the group.
  CHECK(std::find(log->lines.begin(), log->lines.end(), "first granted (tag 7)") !=
        log->lines.end());
  CHECK(std::find(log->lines.begin(), log->lines.end(),
                  "a-low waits at http://gpu-box:11434 behind 0") != log->lines.end());
}

TEST_CASE_METHOD(cluster_fixture, "a node that dies gives back its slots and its places in the "
                                  "authority's queue at once") {
  auto shared = group(1);
  publish(shared);
  auto node_a = node();
  auto node_b = node();
  sched->run();
  acquire(agent("a-calling"), node_a);
  acquire(agent("a-waiting"), node_a, 9);
  acquire(agent("b-waiting"), node_b, 1);
  caf::anon_send_exit(node_a, caf::exit_reason::kill);
  sched->run();
  CHECK(grants() == std::vector<std::string>{"a-calling", "b-waiting"});
  auto stats = statistics(shared);
  CHECK(stats.active == 1);
  CHECK(stats.pending == 0);
  CHECK(stats.cancelled == 1);
}

TEST_CASE_METHOD(cluster_fixture, "an agent that ends while it waits leaves the authority's "
                                  "queue") {
  auto shared = group(1);
  publish(shared);
  auto node_a = node();
  sched->run();
  acquire(agent("calling"), node_a);
  auto waiting = agent("waiting");
  acquire(waiting, node_a);
  REQUIRE(statistics(shared).pending == 1);
  caf::anon_send_exit(waiting, caf::exit_reason::user_shutdown);
  sched->run();
  CHECK(statistics(shared).pending == 0);
  CHECK(statistics(node_a).pending == 0);
}

TEST_CASE_METHOD(cluster_fixture, "the node asks its own caps once the authority admits, and "
                                  "gives every slot back at the end") {
  auto shared = group(4);
  publish(shared);
  auto node_a = node();
  auto cap = group(1, true);
  sched->run();
  auto one = agent("one");
  acquire(one, node_a, 5, {cap});
  acquire(agent("two"), node_a, 5, {cap});
  CHECK(grants() == std::vector<std::string>{"one"});
  // Both admitted by the authority; the second waits for the node's own cap, on the node.
  CHECK(statistics(shared).active == 2);
  CHECK(statistics(cap).active == 1);
  release(one, node_a);
  CHECK(grants() == std::vector<std::string>{"one", "two"});
  CHECK(statistics(shared).completed == 1);
}

TEST_CASE_METHOD(cluster_fixture, "a node that loses its authority fails the requests that wait "
                                  "once authority_timeout passes, naming the authority") {
  auto shared = group(1);
  publish(shared);
  auto node_a = node();
  sched->run();
  acquire(agent("calling"), node_a);
  acquire(agent("waiting"), node_a);
  net->authority = caf::actor{}; // gone, and not back
  caf::anon_send_exit(shared, caf::exit_reason::kill);
  sched->run();
  CHECK(refusals().empty()); // it may come back yet
  sched->trigger_timeouts();
  sched->run();
  auto refused = refusals();
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].starts_with("waiting refused: the authority gpu-box:4242 of "
                               "http://gpu-box:11434 has not answered for 10 s"));
  CHECK(statistics(node_a).note.find("gpu-box:4242 of http://gpu-box:11434: cannot connect") !=
        std::string::npos);
  // Given up on: a new request fails at once rather than waiting the timeout again.
  acquire(agent("late"), node_a);
  CHECK(refusals().size() == 2);
  CHECK(refusals().back().starts_with("late refused: the authority gpu-box:4242"));
}

TEST_CASE_METHOD(cluster_fixture, "an authority that comes back in time gets the waiting "
                                  "requests again, in their order") {
  auto shared = group(1);
  publish(shared);
  auto node_a = node();
  sched->run();
  acquire(agent("calling"), node_a);
  acquire(agent("first"), node_a);
  acquire(agent("second"), node_a);
  auto restarted = group(1);
  publish(restarted); // the restarted authority answers the reconnection at once
  caf::anon_send_exit(shared, caf::exit_reason::kill);
  sched->run();
  CHECK(grants() == std::vector<std::string>{"calling", "first"});
  sched->trigger_timeouts(); // a timeout of the old connection changes nothing
  sched->run();
  CHECK(refusals().empty());
  CHECK(statistics(restarted).pending == 1);
}

TEST_CASE_METHOD(cluster_fixture, "an authority of another version is refused at connect, "
                                  "naming both versions") {
  publish(group(1), "tutti-cluster/0");
  auto node_a = node();
  sched->run();
  acquire(agent("waiting"), node_a);
  auto refused = refusals();
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].find("it speaks tutti-cluster/0, this node tutti-cluster/1") !=
        std::string::npos);
}

TEST_CASE_METHOD(cluster_fixture, "an authority that holds no group for the server says why") {
  publish(caf::actor{});
  auto node_a = node();
  sched->run();
  acquire(agent("waiting"), node_a);
  auto refused = refusals();
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].find("no backend reaches http://gpu-box:11434") != std::string::npos);
}
