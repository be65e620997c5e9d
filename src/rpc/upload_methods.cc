// Chunked uploads (docs/compatibility.md, "Files of any size"): additions to the wire
// protocol for files too large for one request. The reference has no such methods.
#include "rpc/file_json.h"
#include "rpc/method_table.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

StatusOr<MethodResult> UploadBegin(const Params& p, CallContext& ctx) {
  std::optional<std::string> if_match = p.OptStr("if_match");
  if (if_match && if_match->empty()) if_match.reset();
  ASSIGN_OR_RETURN(const vfs::UploadSession session,
                   ctx.session.BeginUpload(p.Str("path"), std::move(if_match)));
  return MethodResult(Json{{"upload_id", session.id},
                           {"path", session.path},
                           {"part_size", session.part_size},
                           {"expires_at", DateTimeValue(session.expires_at)}});
}

StatusOr<MethodResult> UploadPart(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const vfs::UploadedPart part,
                   ctx.session.UploadPart(p.Str("upload_id"), p.Int("index"), p.Bytes("content")));
  return MethodResult(Json{{"index", part.index}, {"size", part.size}, {"etag", part.hash}});
}

StatusOr<MethodResult> UploadCommit(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(
      const vfs::FileInfo info,
      ctx.session.CommitUpload(p.Str("upload_id"), p.OptInt("parts"), p.OptInt("size")));
  Json out = WriteResultJson(info);
  out["path"] = info.path;
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> UploadAbort(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(ctx.session.AbortUpload(p.Str("upload_id")));
  return MethodResult(Json{{"aborted", true}});
}

}  // namespace

void AddUploadMethods(MethodTable& t) {
  const ParamSpec id = Required("upload_id", P::kString);
  t.Add({"upload_begin",
         {Required("path", P::kString), Optional("if_match", P::kString)},
         UploadBegin,
         kCacheNoStore});
  t.Add({"upload_part",
         {id, Required("index", P::kInt), Required("content", P::kBytes)},
         UploadPart,
         kCacheNoStore});
  t.Add({"upload_commit",
         {id, Optional("parts", P::kInt), Optional("size", P::kInt)},
         UploadCommit,
         kCacheNoStore});
  t.Add({"upload_abort", {id}, UploadAbort, kCacheNoStore});
}

}  // namespace nexus::rpc
