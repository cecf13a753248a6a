namespace PruningLab.Exercises;

/// <summary>
/// Runs a learner's code inside a check and turns every outcome, including <see cref="NotImplementedException"/>
/// and any other exception, into a printed <see cref="CheckResult"/>: a check never stops the notebook.
/// </summary>
/// <remarks>
/// The lesson's check cell and the xunit test of the same exercise use the same cases, so the notebook and CI
/// agree on what "correct" means.
/// </remarks>
public static class ExerciseCheck
{
    /// <summary>
    /// Compares <paramref name="learner"/> with <paramref name="reference"/> on every case, prints the result and
    /// returns it.
    /// </summary>
    /// <param name="exercise">Title shown in the result, e.g. "Exercise 0.1 (magnitude threshold)".</param>
    /// <param name="cases">Named inputs.</param>
    /// <param name="learner">The learner's implementation.</param>
    /// <param name="reference">The library's implementation.</param>
    /// <param name="same">Whether the learner's output matches the reference's (e.g. within a tolerance).</param>
    /// <param name="hint">Shown on any failure.</param>
    /// <param name="describe">Formats an output for the message.</param>
    public static CheckResult Compare<TIn, TOut>(string exercise, IEnumerable<(string Name, Func<TIn> Input)> cases,
        Func<TIn, TOut> learner, Func<TIn, TOut> reference, Func<TOut, TOut, bool> same, string hint,
        Func<TOut, string>? describe = null)
    {
        describe ??= value => value?.ToString() ?? "null";
        return Run(exercise, hint, () =>
        {
            var count = 0;
            foreach (var (name, input) in cases)
            {
                count++;
                var expected = Reference(() => reference(input()));
                var actual = Learner(name, () => learner(input()));
                if (!same(actual, expected))
                    return (false, $"case '{name}': expected {describe(expected)}, got {describe(actual)}.");
            }
            return (true, $"{count} case{(count == 1 ? "" : "s")} match the reference.");
        });
    }

    /// <summary>
    /// Runs a check whose body calls the learner's code through <see cref="Learner{T}"/>, prints the result and
    /// returns it. Exceptions from the learner's code become ✗ results with the hint.
    /// </summary>
    /// <param name="exercise">Title shown in the result.</param>
    /// <param name="hint">Shown on any failure.</param>
    /// <param name="check">Returns whether the answer passed and what was measured.</param>
    public static CheckResult Run(string exercise, string hint, Func<(bool Passed, string Message)> check)
    {
        CheckResult result;
        try
        {
            var (passed, message) = check();
            result = new CheckResult(exercise, passed, message, passed ? "" : hint);
        }
        catch (LearnerException error) when (error.InnerException is NotImplementedException)
        {
            result = new CheckResult(exercise, false, "not implemented yet: replace the `throw new NotImplementedException()` with your code.", hint);
        }
        catch (LearnerException error)
        {
            result = new CheckResult(exercise, false, $"your code threw {error.InnerException!.GetType().Name}{error.Where}: {error.InnerException.Message}", hint);
        }
        catch (Exception error)
        {
            // A failure of the check itself (not of the learner's code) must still not stop the notebook.
            result = new CheckResult(exercise, false, $"the check could not run: {error.Message}", "Re-run the set-up cell, then this exercise.");
        }
        Console.WriteLine(result.ToString());
        return result;
    }

    /// <summary>Calls the learner's code; anything it throws is reported as the learner's (inside <see cref="Run"/>).</summary>
    public static T Learner<T>(string? caseName, Func<T> call)
    {
        try { return call(); }
        catch (Exception error) { throw new LearnerException(caseName, error); }
    }

    private static T Reference<T>(Func<T> call) => call();

    private sealed class LearnerException(string? caseName, Exception inner) : Exception(inner.Message, inner)
    {
        public string Where => caseName is null ? "" : $" on case '{caseName}'";
    }
}
