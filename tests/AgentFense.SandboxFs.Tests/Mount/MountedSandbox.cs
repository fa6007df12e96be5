using AgentFense.Policy;
using AgentFense.TestSupport;

namespace AgentFense.SandboxFs.Tests.Mount;

/// <summary>
/// A real FUSE mount of a sandbox view over a fresh source tree, for one test. Unmounts and removes every
/// directory on dispose, also when the test failed.
/// </summary>
internal sealed class MountedSandbox : IDisposable
{
    private readonly TempDirectory _root = new("agentfense-mount-");

    public MountedSandbox(IEnumerable<PermissionRule> rules, Action<SourceTree>? populate = null, SandboxFsOptions? options = null)
    {
        Requires.Fuse();
        // Other users must be able to reach the mount (the temp root is private by default).
        File.SetUnixFileMode(_root.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                         UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Source = Directory.CreateDirectory(_root["source"]).FullName;
        Delta = _root["delta"];
        MountPoint = Directory.CreateDirectory(_root["mnt"]).FullName;
        populate?.Invoke(new SourceTree(Source));
        try
        {
            options ??= new SandboxFsOptions();
            options = options with { Log = line => { lock (Log) Log.Add(line); File.AppendAllText("/tmp/fuse-debug.log", line + "\n"); } };
            Mount = SandboxMount.Mount(Source, MountPoint, Delta, PolicyMatcher.Compile(rules), options);
        }
        catch
        {
            _root.Dispose();
            throw;
        }
    }

    /// <summary>What the FUSE layer logged (failed replies, handler exceptions); asserted empty on dispose.</summary>
    public List<string> Log { get; } = [];

    public string Source { get; }

    public string Delta { get; }

    public string MountPoint { get; }

    public SandboxMount Mount { get; }

    public SandboxFileSystem FileSystem => Mount.FileSystem;

    /// <summary>A path inside the mounted view.</summary>
    public string this[string relative] => Path.Combine(MountPoint, relative);

    /// <summary>Runs a shell command with the mount point as working directory.</summary>
    public (int Code, string Out, string Err) Sh(string command, string? user = null) => Shell.Run(command, MountPoint, user);

    public void Dispose()
    {
        try
        {
            Mount?.Dispose();
        }
        finally
        {
            _root.Dispose();
        }
    }
}

/// <summary>Writes the source tree before the mount exists.</summary>
internal sealed class SourceTree(string root)
{
    public string Root { get; } = root;

    public SourceTree File(string relative, string content = "")
    {
        var full = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return this;
    }

    public SourceTree Dir(string relative)
    {
        Directory.CreateDirectory(Path.Combine(Root, relative));
        return this;
    }

    public SourceTree Symlink(string relative, string target)
    {
        var full = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.CreateSymbolicLink(full, target);
        return this;
    }
}
