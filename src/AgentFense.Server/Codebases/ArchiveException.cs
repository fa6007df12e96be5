namespace AgentFense.Server.Codebases;

/// <summary>What is wrong with an uploaded archive.</summary>
internal enum ArchiveProblem
{
    /// <summary>An entry's path (or a link's target) is not allowed, or clashes with the tree.</summary>
    InvalidPath,
    /// <summary>The stream is not a tar archive, or holds an entry of a kind that is not supported.</summary>
    InvalidArchive,
    /// <summary>Past the size or entry bound.</summary>
    TooLarge,
}

/// <summary>An archive refused as a whole: nothing of it was written into the codebase.</summary>
internal sealed class ArchiveException(ArchiveProblem problem, string message) : Exception(message)
{
    /// <summary>What kind of problem, for the status code and reason at the API edge.</summary>
    public ArchiveProblem Problem { get; } = problem;
}
