// The path tree's hooks that keep permission tuples with the paths they name: a creator owns
// what it creates, tuples follow renames, and go when their paths go. All run inside the
// change's own transaction.
//
// Ownership on creation: a user's home /tenant:<t>/user:<u> is owned by <u> whoever creates
// it; the tenant root and the top-level directories of a tenant (/tenant:<t>/workspace, ...)
// are owned by no one (admins manage them), so that the first writer of /workspace/x does
// not come to own everybody's /workspace; system-wide paths carry no tuples.
#ifndef NEXUS_SERVICES_PERMISSION_HOOKS_H_
#define NEXUS_SERVICES_PERMISSION_HOOKS_H_

#include "rebac/rebac.h"
#include "vfs/path_tree.h"

namespace nexus::services {

vfs::PathTreeHooks PermissionHooks(rebac::Rebac& rebac);

// The user a new node at `path` should be owned by when `creator` creates it; empty for none.
std::string OwnerOfNewNode(const std::string& path, const std::string& creator);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_PERMISSION_HOOKS_H_
