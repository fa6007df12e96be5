using AgentFense.Api.V1;
using Google.Protobuf.WellKnownTypes;

namespace AgentFense.Server.Codebases;

internal sealed partial class CodebaseStore
{
    /// <summary>
    /// Registers <paramref name="hostPath"/> (a resolved directory the caller checked against the operator's
    /// allowed directories) as a read-only codebase. Its size and file count are counted now, by one walk,
    /// and kept: the host directory is the operator's, it may change without the server knowing.
    /// </summary>
    public Codebase Register(string name, string ownerId, string authOwner, string hostPath)
    {
        var totals = TreeTotals.Measure(hostPath);
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var codebase = new Codebase
        {
            Id = Ids.NewCodebaseId(),
            Name = name,
            OwnerId = ownerId,
            CreatedAt = now,
            UpdatedAt = now,
            ReadOnly = true,
            HostPath = hostPath,
            Size = totals.Size,
            FileCount = totals.Count,
        };
        _metadata.AddCodebase(codebase, authOwner);
        return codebase;
    }
}
