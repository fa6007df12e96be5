namespace AgentFense.SandboxFs.Delta;

/// <summary>One entry of a merged directory listing.</summary>
/// <param name="Name">The entry's name (never <c>.</c>, <c>..</c> or a reserved <c>.wh.</c> name).</param>
/// <param name="Attributes">The entry's attributes as <see cref="DeltaOverlay.GetAttributes"/> would give them.</param>
public readonly record struct DirectoryEntry(string Name, EntryAttributes Attributes)
{
    /// <summary>The entry type.</summary>
    public FileKind Kind => Attributes.Kind;
}
