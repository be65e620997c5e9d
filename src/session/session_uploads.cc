// Session: chunked uploads and range reads (session.h).
#include "auth/tenant_paths.h"
#include "session/file_system.h"
#include "session/session.h"

namespace nexus::session {

StatusOr<vfs::FileContent> Session::ReadRange(std::string_view path, int64_t offset,
                                              int64_t length) const {
  ASSIGN_OR_RETURN(const auth::ScopedPath scoped, Authorize(path, Access::kRead));
  ASSIGN_OR_RETURN(vfs::FileContent file,
                   FileSystem(services_, caller_).ReadRange(scoped.stored, offset, length));
  file.info = Presented(std::move(file.info), scoped.legacy);
  return file;
}

StatusOr<vfs::Uploads*> Session::UploadsService() const {
  if (services_.uploads == nullptr)
    return Status(Code::kValidation, "chunked uploads are not available on this server");
  return services_.uploads;
}

std::string Session::OwnerKey() const {
  // Length-prefixed, so that no two callers share an owner string whatever their ids hold.
  std::string owner;
  for (const std::string* id : {&caller_.tenant_id, &caller_.user_id, &caller_.agent_id})
    owner += std::to_string(id->size()) + ":" + *id;
  return owner;
}

StatusOr<vfs::UploadSession> Session::BeginUpload(std::string_view path,
                                                  std::optional<std::string> if_match) const {
  ASSIGN_OR_RETURN(vfs::Uploads * uploads, UploadsService());
  ASSIGN_OR_RETURN(const auth::ScopedPath scoped, Authorize(path, Access::kWrite));
  RETURN_IF_ERROR(FileSystem(services_, caller_).CheckInTree(scoped.stored, "Chunked uploads"));
  ASSIGN_OR_RETURN(vfs::UploadSession session,
                   uploads->Begin(scoped.stored, OwnerKey(), std::move(if_match)));
  session.path = Present(session.path, scoped.legacy);
  return session;
}

StatusOr<vfs::UploadedPart> Session::UploadPart(std::string_view id, int64_t index,
                                                std::string_view content) const {
  ASSIGN_OR_RETURN(vfs::Uploads * uploads, UploadsService());
  ASSIGN_OR_RETURN(const vfs::UploadSession session, uploads->Find(id, OwnerKey()));
  return uploads->PutPart(session, index, content);
}

StatusOr<vfs::FileInfo> Session::CommitUpload(std::string_view id, std::optional<int64_t> parts,
                                              std::optional<int64_t> size) const {
  ASSIGN_OR_RETURN(vfs::Uploads * uploads, UploadsService());
  ASSIGN_OR_RETURN(const vfs::UploadSession session, uploads->Find(id, OwnerKey()));
  // A grant revoked, or a mount added, since the session began.
  RETURN_IF_ERROR(Check(session.path, Access::kWrite));
  RETURN_IF_ERROR(FileSystem(services_, caller_).CheckInTree(session.path, "Chunked uploads"));
  ASSIGN_OR_RETURN(vfs::FileInfo info, uploads->Commit(Actor(), session, parts, size));
  return Presented(std::move(info), false);
}

Status Session::AbortUpload(std::string_view id) const {
  ASSIGN_OR_RETURN(vfs::Uploads * uploads, UploadsService());
  ASSIGN_OR_RETURN(const vfs::UploadSession session, uploads->Find(id, OwnerKey()));
  return uploads->Abort(session);
}

}  // namespace nexus::session
