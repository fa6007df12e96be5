using AgentFense.Api.V1;
using AgentFense.Server.Codebases;
using Grpc.Core;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

/// <summary>
/// RegisterCodebase: a codebase over a host directory, used in place and read-only. The directory must lie,
/// with its links resolved, under one of <see cref="ServerOptions.RegisterAllowedDirectories"/> (resolved
/// too), and must neither be nor hold nor lie in the data directory.
/// </summary>
internal sealed partial class CodebaseGrpcService
{
    public override Task<Codebase> RegisterCodebase(RegisterCodebaseRequest request, ServerCallContext context)
    {
        if (request.Name.Length == 0)
            throw Invalid("a codebase needs a name");
        var hostPath = request.HostPath;
        if (hostPath.Length == 0 || !hostPath.StartsWith('/') || hostPath.Contains('\0', StringComparison.Ordinal))
            throw Invalid($"host_path '{hostPath.Replace("\0", "\\0", StringComparison.Ordinal)}' is not an absolute path", ApiErrors.InvalidPath);
        if (options.RegisterAllowedDirectories.Count == 0)
            throw NotAllowed("registering host directories is not enabled on this server (no allowed directories are configured)");
        // Checked before the path is looked at, so the answer tells nothing about paths elsewhere on the host.
        var lexical = Path.GetFullPath(hostPath);
        var allowed = options.RegisterAllowedDirectories.Select(d => Path.GetFullPath(d).TrimEnd('/') is { Length: > 0 } t ? t : "/").ToList();
        var allowedResolved = options.RegisterAllowedDirectories.Select(HostDirectories.Resolve).OfType<string>().ToList();
        if (!allowed.Concat(allowedResolved).Any(a => HostDirectories.IsSameOrUnder(lexical, a)))
            throw NotAllowed($"'{hostPath}' is not under a directory this server allows registering");
        var resolved = HostDirectories.Resolve(hostPath)
            ?? throw NotFound($"host directory '{hostPath}' does not exist", ApiErrors.HostPathNotFound);
        if (!allowedResolved.Any(a => HostDirectories.IsSameOrUnder(resolved, a)))
            throw NotAllowed($"'{hostPath}' resolves through links to '{resolved}', which is not under a directory this server allows registering");
        if (HostDirectories.Resolve(store.DataDirectory) is { } data
            && (HostDirectories.IsSameOrUnder(resolved, data) || HostDirectories.IsSameOrUnder(data, resolved)))
            throw NotAllowed($"'{hostPath}' is, holds or lies in the server's data directory, which is never registered");
        if (HostEntry.KindOf(resolved) != HostEntryKind.Directory)
            throw Invalid($"host path '{hostPath}' is not a directory", ApiErrors.HostPathNotDirectory);
        // With API keys the owner is the authenticated one, as for CreateCodebase.
        var codebase = Auth.Caller.Owner is { } owner
            ? store.Register(request.Name, owner, owner, resolved)
            : store.Register(request.Name, request.OwnerId, "", resolved);
        return Task.FromResult(codebase);
    }

    private static RpcException NotAllowed(string message) => ApiErrors.Create(StatusCode.PermissionDenied, ApiErrors.RegisterNotAllowed, message);
}
