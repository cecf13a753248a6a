namespace PruningLab.Exercises;

/// <summary>
/// The outcome of an exercise check: ✓ or ✗ with a message and, on failure, a hint. Checks never throw, so a
/// wrong or unfinished answer never stops the notebook.
/// </summary>
/// <param name="Exercise">The exercise's title.</param>
/// <param name="Passed">Whether every case matched the reference.</param>
/// <param name="Message">What was checked, or what went wrong.</param>
/// <param name="Hint">What to try next (empty when passed).</param>
public sealed record CheckResult(string Exercise, bool Passed, string Message, string Hint)
{
    /// <summary>The line a notebook prints, e.g. "✓ Exercise 0.1 (magnitude threshold): 4 cases match the reference."</summary>
    public override string ToString() =>
        Passed ? $"✓ {Exercise}: {Message}" : $"✗ {Exercise}: {Message}{(Hint.Length > 0 ? $"\n  Hint: {Hint}" : "")}";
}
