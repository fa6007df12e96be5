using AgentFense.Api.V1;
using Google.Protobuf;
using Empty = AgentFense.Api.V1.Empty;

namespace AgentFense;

public sealed partial class SandboxClient
{
    /// <summary>ReadSandboxFile through the running sandbox's policy view.</summary>
    public Task<ReadSandboxFileResponse> ReadSandboxFileAsync(string sandboxId, string path, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.ReadSandboxFileAsync(new ReadSandboxFileRequest { SandboxId = sandboxId, Path = path }, o), idempotent: true, cancellationToken);

    /// <summary>WriteSandboxFile: creates or replaces a file (its directory must exist) into the delta.</summary>
    public Task<SandboxFileInfo> WriteSandboxFileAsync(string sandboxId, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.WriteSandboxFileAsync(new WriteSandboxFileRequest { SandboxId = sandboxId, Path = path, Content = ByteString.CopyFrom(content.Span) }, o), idempotent: true, cancellationToken);

    /// <summary>ListSandboxFiles: a directory of the view ("" for the root).</summary>
    public Task<ListSandboxFilesResponse> ListSandboxFilesAsync(string sandboxId, string path = "", CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.ListSandboxFilesAsync(new ListSandboxFilesRequest { SandboxId = sandboxId, Path = path }, o), idempotent: true, cancellationToken);

    /// <summary>StatSandboxFile.</summary>
    public Task<SandboxFileInfo> StatSandboxFileAsync(string sandboxId, string path, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.StatSandboxFileAsync(new StatSandboxFileRequest { SandboxId = sandboxId, Path = path }, o), idempotent: true, cancellationToken);

    /// <summary>DeleteSandboxFile: a file or an empty directory.</summary>
    public Task<Empty> DeleteSandboxFileAsync(string sandboxId, string path, CancellationToken cancellationToken = default) =>
        UnaryAsync(o => _sandboxes.DeleteSandboxFileAsync(new DeleteSandboxFileRequest { SandboxId = sandboxId, Path = path }, o), idempotent: false, cancellationToken);
}
