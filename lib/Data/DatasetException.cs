namespace PruningLab.Data;

/// <summary>
/// A dataset file is missing, corrupt or malformed. The message always names the file, what was
/// expected, what was found and how to fix it, because students meet these errors before they
/// know the code. (<see cref="InvalidDataException"/> is sealed, hence a type of our own.)
/// </summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    public DatasetException(string? filePath, string message, Exception? inner = null)
        : base(message, inner) => FilePath = filePath;

    /// <summary>The file the problem is about, when there is one.</summary>
    public string? FilePath { get; }
}
