using System.Text;
using AgentFense.Runtime.Boxes;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>
/// The box's synthesized <c>/etc</c>: small files written into the box's own root tmpfs through
/// bwrap's <c>--file FD</c> (so no host path of them shows in the box's mountinfo and nothing is
/// left on disk), plus read-only binds of the few host entries programs need and that hold no
/// secrets. Never the host's passwd, shadow, gshadow, sudoers, ssh or machine-id.
/// </summary>
internal sealed class EtcFiles
{
    /// <summary>The nameserver slirp4netns answers on inside the box (its default 10.0.2.3).</summary>
    public const string SlirpNameserver = "10.0.2.3";

    private static readonly string[] s_hostBinds = ["ld.so.cache", "alternatives", "ssl/certs", "ssl/openssl.cnf"];

    /// <summary>Synthesized files: path in the box → content.</summary>
    public required IReadOnlyList<(string Path, byte[] Content)> Files { get; init; }

    /// <summary>Host paths bound read-only at the same path in the box.</summary>
    public required IReadOnlyList<string> ReadOnlyBinds { get; init; }

    /// <summary>Symlinks to create: path in the box → target.</summary>
    public required IReadOnlyList<(string Path, string Target)> Symlinks { get; init; }

    /// <summary>Builds the set for <paramref name="spec"/>, looking at the host's <paramref name="hostEtc"/> for what to bind.</summary>
    public static EtcFiles Build(BoxSpec spec, string hostEtc = "/etc")
    {
        var files = new List<(string, byte[])>
        {
            ("/etc/passwd", Utf8($"root:x:0:0:root:/root:/bin/sh\n{spec.UserName}:x:{spec.Uid}:{spec.Gid}:{spec.UserName}:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")),
            ("/etc/group", Utf8($"root:x:0:\n{spec.UserName}:x:{spec.Gid}:\nnogroup:x:65534:\n")),
            ("/etc/hostname", Utf8($"{spec.Hostname}\n")),
            ("/etc/hosts", Utf8($"127.0.0.1\tlocalhost\n127.0.1.1\t{spec.Hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n")),
            ("/etc/nsswitch.conf", Utf8("passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n")),
        };
        if (spec.Network)
            files.Add(("/etc/resolv.conf", Utf8($"nameserver {SlirpNameserver}\n")));
        var binds = new List<string>();
        foreach (var relative in s_hostBinds)
        {
            var host = Path.Combine(hostEtc, relative);
            if (File.Exists(host) || Directory.Exists(host))
                binds.Add(host);
        }
        var symlinks = new List<(string, string)>();
        var localtime = Path.Combine(hostEtc, "localtime");
        if (new FileInfo(localtime).LinkTarget is { } zone && zone.Contains("/usr/share/zoneinfo/", StringComparison.Ordinal))
            symlinks.Add(("/etc/localtime", zone));
        else if (File.Exists(localtime))
            binds.Add(localtime);
        var osRelease = Path.Combine(hostEtc, "os-release");
        if (new FileInfo(osRelease).LinkTarget is { } release && File.Exists("/usr/lib/os-release"))
            symlinks.Add(("/etc/os-release", release));
        return new EtcFiles { Files = files, ReadOnlyBinds = binds, Symlinks = symlinks };
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
