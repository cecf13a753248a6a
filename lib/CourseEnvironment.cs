namespace PruningLab;

/// <summary>Process-wide facts the library adapts to (whether it runs inside a notebook kernel).</summary>
public static class CourseEnvironment
{
    /// <summary>
    /// True once a notebook's set-up cell has run: progress then goes to live charts instead of console bars.
    /// </summary>
    public static bool InNotebook { get; internal set; }
}
