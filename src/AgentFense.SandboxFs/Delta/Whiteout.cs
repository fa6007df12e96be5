namespace AgentFense.SandboxFs.Delta;

/// <summary>
/// The on-disk convention of the upper layer (the delta), after the OCI image layer / AUFS scheme.
/// </summary>
/// <remarks>
/// <para>
/// <b>Whiteout.</b> A lower entry <c>x</c> deleted in the merged view is recorded as an empty regular file
/// <c>.wh.x</c> next to where <c>x</c> would be in the upper directory. The whiteout hides <c>x</c> and,
/// when <c>x</c> is a directory, everything under it. The whiteout carries the lower entry's baseline
/// (see <see cref="Baseline"/>) so a commit can tell whether the codebase changed since the sandbox saw it.
/// </para>
/// <para>
/// <b>Opaque directory.</b> An upper directory holding the marker file <c>.wh..wh..opq</c> hides the whole
/// lower directory of the same path: only the upper contents show. A directory removed and re-created is
/// opaque, and so is a directory renamed from the lower layer (its tree was copied up first).
/// </para>
/// <para>
/// <b>Reserved names.</b> Every name starting with <c>.wh.</c> belongs to the engine: it is never listed,
/// never looked up, and creating one through the API fails with EPERM. Names starting with <c>.wh..wh.</c>
/// are engine metadata rather than whiteouts: the opaque marker, and at the delta root the work directory
/// <c>.wh..wh..work</c>, where copy-ups are staged before being renamed into place (a crash leaves at most
/// garbage in the work directory, which is emptied when an overlay is opened).
/// </para>
/// <para>
/// <b>Engine xattrs.</b> Names under <c>user.agentfense.</c> are the engine's own (the baseline); they are
/// hidden from xattr listings and cannot be read or written through the API.
/// </para>
/// </remarks>
public static class Whiteout
{
    /// <summary>Prefix of every whiteout and every engine-reserved name.</summary>
    public const string Prefix = ".wh.";

    /// <summary>Prefix of engine metadata names (opaque marker, work directory).</summary>
    public const string MetaPrefix = ".wh..wh.";

    /// <summary>Marker file that makes its directory opaque.</summary>
    public const string OpaqueMarker = ".wh..wh..opq";

    /// <summary>Staging directory for copy-ups, at the delta root.</summary>
    public const string WorkDirectory = ".wh..wh..work";

    /// <summary>Prefix of the engine's extended attributes on upper entries.</summary>
    public const string XattrPrefix = "user.agentfense.";

    /// <summary>True for any name the engine reserves (hidden, not creatable).</summary>
    public static bool IsReserved(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The whiteout name that hides <paramref name="name"/>.</summary>
    public static string For(string name) => Prefix + name;

    /// <summary>True when <paramref name="name"/> is a whiteout of a user entry (not metadata); gives the hidden name.</summary>
    public static bool TryGetHiddenName(string name, out string hidden)
    {
        if (name.StartsWith(Prefix, StringComparison.Ordinal) && !name.StartsWith(MetaPrefix, StringComparison.Ordinal)
            && name.Length > Prefix.Length)
        {
            hidden = name[Prefix.Length..];
            return true;
        }
        hidden = "";
        return false;
    }
}
