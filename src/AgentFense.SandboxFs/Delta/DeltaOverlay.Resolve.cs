using static Interop.Libc;

namespace AgentFense.SandboxFs.Delta;

public sealed partial class DeltaOverlay
{
    /// <summary>What one path is in each layer, as a lookup of the merged view found it.</summary>
    private struct Resolved
    {
        /// <summary>The parent exists in the merged view and is a directory.</summary>
        public bool ParentExists;
        /// <summary>The upper directory of the parent exists.</summary>
        public bool UpperParentExists;
        /// <summary>An upper entry exists at the path (it wins).</summary>
        public bool HasUpper;
        public statx_t Upper;
        /// <summary>A lower entry exists at the path and is not hidden (by a whiteout or an opaque ancestor).</summary>
        public bool HasLower;
        public statx_t Lower;
        /// <summary>A whiteout for the path exists in the upper parent.</summary>
        public bool WhitedOut;

        public readonly bool Exists => HasUpper || HasLower;

        public readonly statx_t Visible => HasUpper ? Upper : Lower;

        public readonly bool IsDirectory => Exists && HostFs.IsDir(Visible);

        /// <summary>The entry is a directory whose lower contents show through (non-opaque merge).</summary>
        public bool LowerDirectoryShows;
    }

    /// <summary>
    /// Looks a path up in the merged view. Success when it exists; ENOENT with <see cref="Resolved.ParentExists"/>
    /// set when only the last component is missing; ENOENT/ENOTDIR when an ancestor is missing or not a directory.
    /// </summary>
    private Errno Resolve(string path, out Resolved r)
    {
        r = default;
        var upperDir = _upper;
        var lowerDir = _lower;
        // Both roots are directories for the overlay's life (checked when it opened), and nothing makes the
        // root opaque (it cannot be removed or renamed): a lookup starts with no system call.
        var upperAlive = true;
        var lowerAlive = true;
        if (path.Length == 0)
        {
            r.ParentExists = true;
            r.UpperParentExists = true;
            r.HasUpper = HostFs.Lstat(_upper, out r.Upper) == Errno.Success;
            r.HasLower = HostFs.Lstat(_lower, out r.Lower) == Errno.Success;
            r.LowerDirectoryShows = r.HasLower;
            return r.HasUpper ? Errno.Success : Errno.EIO;
        }

        var start = 0;
        var generation = Interlocked.Read(ref _generation);
        // A mutation changes the tree between its own lookups without bumping the generation: it looks for itself.
        var cached = !_mutation.IsHeldByCurrentThread;
        var lastSlash = cached ? path.LastIndexOf('/') : -1;
        if (lastSlash > 0 && TryGetDirectory(path[..lastSlash], generation, out var parentUpper, out var parentLower))
        {
            (upperAlive, lowerAlive) = (parentUpper, parentLower);
            // The parent is known: only the name itself needs looking up.
            upperDir = _upper + "/" + path[..lastSlash];
            lowerDir = _lower + "/" + path[..lastSlash];
            start = lastSlash + 1;
        }
        while (true)
        {
            var slash = path.IndexOf('/', start);
            var last = slash < 0;
            var name = last ? path[start..] : path[start..slash];
            if (Whiteout.IsReserved(name))
                return Errno.ENOENT;

            r = default;
            r.ParentExists = true;
            r.UpperParentExists = upperAlive;
            if (upperAlive)
                r.HasUpper = HostFs.Lstat(upperDir + "/" + name, out r.Upper) == Errno.Success;
            if (upperAlive && !r.HasUpper)
                r.WhitedOut = HostFs.Exists(upperDir + "/" + Whiteout.For(name));
            if (lowerAlive && !r.WhitedOut)
                r.HasLower = HostFs.Lstat(lowerDir + "/" + name, out r.Lower) == Errno.Success;

            if (!r.Exists)
                return last ? Errno.ENOENT : ENoEntAncestor(ref r);

            var lowerIsDir = r.HasLower && HostFs.IsDir(r.Lower);
            if (r.HasUpper)
            {
                var upperIsDir = HostFs.IsDir(r.Upper);
                if (!upperIsDir)
                {
                    // An upper non-directory hides whatever the lower layer has at this path.
                    lowerIsDir = false;
                }
                if (upperIsDir && lowerIsDir)
                    lowerIsDir = !HostFs.Exists(upperDir + "/" + name + "/" + Whiteout.OpaqueMarker);
                r.LowerDirectoryShows = upperIsDir && lowerIsDir;
                if (last)
                    return Errno.Success;
                if (!upperIsDir)
                    return ENotDirAncestor(ref r);
            }
            else
            {
                r.LowerDirectoryShows = lowerIsDir;
                if (last)
                    return Errno.Success;
                if (!lowerIsDir)
                    return ENotDirAncestor(ref r);
            }

            upperAlive = r.HasUpper;
            lowerAlive = lowerIsDir;
            upperDir = upperDir + "/" + name;
            lowerDir = lowerDir + "/" + name;
            start = slash + 1;
            if (slash == lastSlash)
                RememberDirectory(path[..slash], generation, upperAlive, lowerAlive);
        }
    }

    private static Errno ENoEntAncestor(ref Resolved r)
    {
        r = default;
        return Errno.ENOENT;
    }

    private static Errno ENotDirAncestor(ref Resolved r)
    {
        r = default;
        return Errno.ENOTDIR;
    }

    /// <summary>
    /// Looks up <paramref name="path"/> in the merged view and gives its attributes (the upper entry's when
    /// there is one). Never follows a symlink.
    /// </summary>
    public Errno GetAttributes(string path, out EntryAttributes attributes)
    {
        attributes = default;
        var rc = CheckPath(path);
        if (rc != Errno.Success)
            return rc;
        rc = Resolve(path, out var r);
        if (rc != Errno.Success)
            return rc;
        attributes = EntryAttributes.From(r.Visible, r.HasUpper ? Layer.Upper : Layer.Lower);
        return Errno.Success;
    }

    /// <summary>
    /// The host path that serves <paramref name="path"/> now, and its layer. For opening a file the FUSE layer
    /// reads through; a later copy-up moves the path to the upper layer (see <see cref="OpenFile"/>).
    /// </summary>
    public Errno GetHostPath(string path, out string hostPath, out Layer layer)
    {
        hostPath = "";
        layer = Layer.Lower;
        var rc = CheckPath(path);
        if (rc != Errno.Success)
            return rc;
        rc = Resolve(path, out var r);
        if (rc != Errno.Success)
            return rc;
        layer = r.HasUpper ? Layer.Upper : Layer.Lower;
        hostPath = r.HasUpper ? Upper(path) : Lower(path);
        return Errno.Success;
    }

    /// <summary>Reads the target of a symlink.</summary>
    public Errno ReadLink(string path, out string target)
    {
        target = "";
        var rc = GetHostPath(path, out var host, out _);
        return rc != Errno.Success ? rc : HostFs.ReadLink(host, out target);
    }
}
