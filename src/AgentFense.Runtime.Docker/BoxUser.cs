using System.Formats.Tar;
using System.Globalization;
using System.Net;
using System.Text;
using AgentFense.Runtime.Boxes;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace AgentFense.Runtime.Docker;

/// <summary>
/// The box user's entry in the container's <c>/etc/passwd</c> and <c>/etc/group</c>: the image's own files
/// (read from the created container before it starts) with the box user and group appended when the image
/// has no entry for their ids, so <c>id</c>, <c>whoami</c> and <c>~</c> work as in a bwrap box while the
/// image's own users stay. The results are written to the box's etc directory, bound read-only over the
/// image's files.
/// </summary>
internal static class BoxUser
{
    /// <summary>The files the container gets from the etc directory.</summary>
    public static readonly string[] Files = ["passwd", "group"];

    /// <summary>Creates the empty files (bind sources must exist when the container is created).</summary>
    public static void Prepare(string etcDirectory)
    {
        Directory.CreateDirectory(etcDirectory);
        foreach (var file in Files)
            File.WriteAllBytes(Path.Combine(etcDirectory, file), []);
    }

    /// <summary>
    /// Reads the image's passwd and group from a created container of it (each read makes the daemon mount the
    /// container's root, tens of milliseconds: the runtime keeps the result per image id).
    /// </summary>
    public static async Task<ImageUsers> ReadAsync(IDockerClient client, string containerId, CancellationToken cancellationToken)
    {
        // Both at once: each is a round trip to the daemon on the start path.
        var passwdRead = ReadAsync(client, containerId, "/etc/passwd", cancellationToken);
        var groupRead = ReadAsync(client, containerId, "/etc/group", cancellationToken);
        return new ImageUsers(await passwdRead.ConfigureAwait(false) ?? "root:x:0:0:root:/root:/bin/sh\n",
            await groupRead.ConfigureAwait(false) ?? "root:x:0:\n");
    }

    /// <summary>Writes the image's files with the box user and group merged in.</summary>
    public static void Write(string etcDirectory, ImageUsers image, BoxSpec spec)
    {
        File.WriteAllText(Path.Combine(etcDirectory, "passwd"), MergePasswd(image.Passwd, spec));
        File.WriteAllText(Path.Combine(etcDirectory, "group"), MergeGroup(image.Group, spec));
    }

    /// <summary><paramref name="passwd"/> with the box user appended unless its uid has an entry.</summary>
    public static string MergePasswd(string passwd, BoxSpec spec) =>
        HasId(passwd, 2, spec.Uid) ? EndLine(passwd)
            : $"{EndLine(passwd)}{spec.UserName}:x:{Number(spec.Uid)}:{Number(spec.Gid)}:{spec.UserName}:/tmp:/bin/sh\n";

    /// <summary><paramref name="group"/> with the box group appended unless its gid has an entry.</summary>
    public static string MergeGroup(string group, BoxSpec spec) =>
        HasId(group, 2, spec.Gid) ? EndLine(group) : $"{EndLine(group)}{spec.UserName}:x:{Number(spec.Gid)}:\n";

    private static bool HasId(string file, int field, uint id)
    {
        var wanted = Number(id);
        foreach (var line in file.Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length > field && fields[field] == wanted)
                return true;
        }
        return false;
    }

    private static string EndLine(string text) => text.Length == 0 || text.EndsWith('\n') ? text : text + "\n";

    private static string Number(uint value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>One file of the container as text (from the Engine API's tar archive), or null when the image has none.</summary>
    private static async Task<string?> ReadAsync(IDockerClient client, string containerId, string path, CancellationToken cancellationToken)
    {
        GetArchiveFromContainerResponse response;
        try
        {
            response = await client.Containers.GetArchiveFromContainerAsync(containerId, new GetArchiveFromContainerParameters { Path = path },
                statOnly: false, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await using var stream = response.Stream;
        await using var reader = new TarReader(stream);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                continue;
            // A user file of a megabyte is not a passwd file: refuse to hold more.
            if (entry.Length > 1024 * 1024)
                return null;
            using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
            return await text.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        return null;
    }
}

/// <summary>An image's own <c>/etc/passwd</c> and <c>/etc/group</c>.</summary>
internal sealed record class ImageUsers(string Passwd, string Group);
