using System.Security.Cryptography;

namespace AgentFense.Runtime.Boxes;

/// <summary>
/// The init binary as runtimes bind it into boxes: a copy under the runtime's state directory named by its
/// content hash, so the box's mountinfo shows that neutral path instead of where the engine's build lives.
/// </summary>
public sealed class InitBinaryCopies
{
    private readonly string _stateDirectory;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _copies = new(StringComparer.Ordinal);

    /// <summary>Copies go to <c>init/</c> of <paramref name="stateDirectory"/>.</summary>
    public InitBinaryCopies(string stateDirectory) => _stateDirectory = stateDirectory;

    /// <summary>The copy of <paramref name="initPath"/>, made on first use (or when it went missing).</summary>
    public string Get(string initPath)
    {
        lock (_lock)
        {
            if (_copies.TryGetValue(initPath, out var known) && File.Exists(known))
                return known;
            string hash;
            using (var stream = File.OpenRead(initPath))
                hash = Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
            var directory = Path.Combine(_stateDirectory, "init");
            Directory.CreateDirectory(directory);
            var copy = Path.Combine(directory, $"agentfense-init-{hash}");
            if (!File.Exists(copy))
            {
                // Unique per call: several runtimes (in one process or many) may make the first copy at once.
                var temporary = $"{copy}.{Guid.NewGuid():N}.tmp";
                File.Copy(initPath, temporary, overwrite: true);
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                File.Move(temporary, copy, overwrite: true);
            }
            _copies[initPath] = copy;
            return copy;
        }
    }
}
