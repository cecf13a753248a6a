namespace PruningLab.Exercises;

/// <summary>
/// The outcome of an exercise check: ✓ or ✗ with a message and, on failure, the first hint (the idea; the lesson
/// stages further hints below the exercise). Checks never throw, so a wrong or unfinished answer never stops the
/// notebook.
/// </summary>
/// <param name="Id">The exercise's number, e.g. "1.2".</param>
/// <param name="Title">The exercise's title.</param>
/// <param name="Passed">Whether every case matched.</param>
/// <param name="Message">What was checked, or what went wrong.</param>
/// <param name="Hint">What to think about next (empty when passed).</param>
public sealed record CheckResult(string Id, string Title, bool Passed, string Message, string Hint)
{
    /// <summary>The line a notebook prints, e.g. "✓ Exercise 0.1 (prune one tensor by magnitude): 5 cases match."</summary>
    public override string ToString() =>
        Passed ? $"✓ Exercise {Id} ({Title}): {Message}"
               : $"✗ Exercise {Id} ({Title}): {Message}{(Hint.Length > 0 ? $"\n  Hint: {Hint}" : "")}";
}
