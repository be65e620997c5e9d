// Calls for what another node runs (a sandbox's processes live on the node that started
// them) are sent there: the request as it came, with the caller's own credentials, and the
// owner's answer is the answer. The owner authenticates and authorizes the call itself, as
// it would a call made to it directly.
#ifndef NEXUS_SERVER_NODE_FORWARDER_H_
#define NEXUS_SERVER_NODE_FORWARDER_H_

#include <string>

#include "cluster/cluster.h"
#include "server/http_types.h"
#include "services/outbound_http.h"

namespace nexus::server {

// Marks a forwarded request; a node never forwards a request carrying it again, so two
// nodes that disagree about an owner cannot pass a call back and forth.
inline constexpr char kForwardedHeader[] = "X-Nexus-Forwarded-By";

class NodeForwarder {
 public:
  // Both must outlive the forwarder.
  NodeForwarder(cluster::Cluster& cluster, services::OutboundHttp& http)
      : cluster_(cluster), http_(http) {}

  // The owner's answer to `req`; 503 with Retry-After when nothing was sent (`owner_node` is
  // not alive, its address unknown, or the connection refused), 502 when the request may
  // have been sent and no answer came.
  HttpResponse Forward(const HttpRequest& req, const std::string& owner_node) const;

 private:
  cluster::Cluster& cluster_;
  services::OutboundHttp& http_;
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_NODE_FORWARDER_H_
