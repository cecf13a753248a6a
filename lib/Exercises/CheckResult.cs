using System.Text.Json;

namespace PruningLab.Exercises;

/// <summary>
/// The outcome of an exercise check: ✓ or ✗ with a message and, on failure, the first hint (the idea; the lesson
/// stages further hints below the exercise). Checks never throw, so a wrong or unfinished answer never stops the
/// notebook. In a notebook the result is displayed twice over: as the line the learner reads (<c>text/plain</c>) and as
/// JSON under <see cref="MimeType"/>, which the course's grader reads from the executed notebook.
/// </summary>
/// <param name="Id">The exercise's number, e.g. "1.2".</param>
/// <param name="Title">The exercise's title.</param>
/// <param name="Passed">Whether every case matched.</param>
/// <param name="Message">What was checked, or what went wrong.</param>
/// <param name="Hint">What to think about next (empty when passed).</param>
public sealed record CheckResult(string Id, string Title, bool Passed, string Message, string Hint)
{
    /// <summary>The MIME type of a check's structured result: <c>{"id", "title", "passed", "message", "hint"}</c>.</summary>
    public const string MimeType = "application/vnd.pruninglab.check+json";

    /// <summary>The structured result, as the grader reads it (see <see cref="MimeType"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(new { id = Id, title = Title, passed = Passed, message = Message, hint = Hint });

    /// <summary>The line a notebook prints, e.g. "✓ Exercise 0.1 (prune one tensor by magnitude): 5 cases match."</summary>
    public override string ToString() =>
        Passed ? $"✓ Exercise {Id} ({Title}): {Message}"
               : $"✗ Exercise {Id} ({Title}): {Message}{(Hint.Length > 0 ? $"\n  Hint: {Hint}" : "")}";
}
