using PruningLab.Notebooks;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>
/// Runs a learner's code inside a check and turns every outcome, including <see cref="NotImplementedException"/>
/// and any other exception, into a printed <see cref="CheckResult"/>: a check never stops the notebook.
/// </summary>
/// <remarks>
/// The lesson's check cell and the xunit tests of the same exercise use the same cases, so the notebook and CI
/// agree on what "correct" means. Besides the values, tensor answers are checked for shape and dtype, and every
/// input the learner's code receives is checked to be unchanged afterwards.
/// </remarks>
public static class ExerciseCheck
{
    private const string MoreHints = " (More hints, one step at a time, below the exercise.)";

    /// <summary>
    /// Runs a check whose body calls the learner's code through <see cref="Learner{T}"/>, prints the result and
    /// returns it. Exceptions from the learner's code become ✗ results with the hint.
    /// </summary>
    /// <param name="id">The exercise's number, e.g. "0.1".</param>
    /// <param name="title">The exercise's title.</param>
    /// <param name="hint">The first hint, shown on any failure: the idea, not the code.</param>
    /// <param name="check">Returns whether the answer passed and what was measured.</param>
    public static CheckResult Run(string id, string title, string hint, Func<(bool Passed, string Message)> check)
    {
        CheckResult result;
        hint += MoreHints;
        try
        {
            var (passed, message) = check();
            result = new CheckResult(id, title, passed, message, passed ? "" : hint);
        }
        catch (LearnerException error) when (error.InnerException is NotImplementedException)
        {
            result = new CheckResult(id, title, false, "not implemented yet: replace the `throw new NotImplementedException(...)` with your code.", hint);
        }
        catch (LearnerException error) when (error.InnerException is null)
        {
            result = new CheckResult(id, title, false, error.Message, hint);
        }
        catch (LearnerException error)
        {
            result = new CheckResult(id, title, false, $"your code threw {error.InnerException!.GetType().Name}{error.Where}: {error.InnerException.Message}", hint);
        }
        catch (Exception error)
        {
            // A failure of the check itself (not of the learner's code) must still not stop the notebook.
            result = new CheckResult(id, title, false, $"the check could not run: {error.Message}", "Re-run the set-up cell, then this exercise.");
        }
        Report(result);
        return result;
    }

    // In a notebook whose set-up cell registered the formatter: one output with the line and the structured result
    // (the grader's input). Anywhere else (tests, console apps, a kernel without the set-up): the line alone.
    private static void Report(CheckResult result)
    {
        if (NotebookSetup.ShowsCheckResults && NotebookDisplay.Show(result) is not null) return;
        Console.WriteLine(result.ToString());
    }

    /// <summary>
    /// Calls the learner's code. Anything it throws is reported as the learner's (inside <see cref="Run"/>), and so is
    /// a call into the library's own implementation of the exercise when <paramref name="forbidden"/> names it.
    /// </summary>
    /// <param name="caseName">The case, named in messages (null for none).</param>
    /// <param name="call">The learner's code.</param>
    /// <param name="forbidden">The library's references the answer must not call (constants of <see cref="ReferenceUse"/>).</param>
    public static T Learner<T>(string? caseName, Func<T> call, params string[] forbidden)
    {
        (T Result, IReadOnlyCollection<string> Used) outcome;
        try { outcome = ReferenceUse.Watch(call); }
        catch (LearnerException) { throw; }
        catch (Exception error) { throw new LearnerException(caseName, error); }
        var used = outcome.Used.Intersect(forbidden).ToList();
        if (used.Count > 0)
            throw LearnerException.Plain($"your code calls {string.Join(" and ", used)}, which is the answer itself. " +
                "Write it with tensor operations: that is the exercise.");
        return outcome.Result;
    }

    /// <summary>
    /// Clones <paramref name="inputs"/>, runs <paramref name="call"/>, and fails (as the learner's mistake) if any input
    /// changed: an answer must return new tensors, not edit the ones it was given.
    /// </summary>
    public static T Unchanged<T>(string? caseName, IReadOnlyList<(string Name, Tensor Value)> inputs, Func<T> call)
    {
        var copies = inputs.Select(i => (i.Name, Copy: i.Value.detach().clone())).ToList();
        try
        {
            var result = call();
            foreach (var ((name, copy), (_, value)) in copies.Zip(inputs))
                if (!Same(value, copy))
                    throw LearnerException.Plain($"case '{caseName}': your code changed its input `{name}`; work on a copy (clone()) and return new tensors.");
            return result;
        }
        finally
        {
            foreach (var (_, copy) in copies) copy.Dispose();
        }
    }

    /// <summary>Whether two tensors have the same shape, dtype and bytes (NaN equals NaN here).</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (a.IsInvalid || b.IsInvalid || a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var scope = NewDisposeScope();
        return a.detach().cpu().contiguous().bytes.SequenceEqual(b.detach().cpu().contiguous().bytes);
    }

    /// <summary>Whether two tensors have the same shape and equal values (−0 equals +0; compared in float64).</summary>
    public static bool Equal(Tensor a, Tensor b, double tolerance = 0)
    {
        if (a.IsInvalid || b.IsInvalid || !a.shape.SequenceEqual(b.shape)) return false;
        using var scope = NewDisposeScope();
        var difference = (a.detach().cpu().to(float64) - b.detach().cpu().to(float64)).abs();
        return difference.numel() == 0 || difference.max().item<double>() <= tolerance;
    }

    /// <summary>Fails (as the learner's mistake) unless <paramref name="answer"/> has the expected shape and dtype.</summary>
    public static Tensor Shaped(string caseName, string what, Tensor? answer, long[] shape, ScalarType dtype)
    {
        if (answer is null || answer.IsInvalid)
            throw LearnerException.Plain($"case '{caseName}': {what} is null or disposed; return a new tensor.");
        if (!answer.shape.SequenceEqual(shape))
            throw LearnerException.Plain($"case '{caseName}': {what} has shape [{string.Join(",", answer.shape)}]; expected [{string.Join(",", shape)}].");
        if (answer.dtype != dtype)
            throw LearnerException.Plain($"case '{caseName}': {what} has dtype {answer.dtype}; expected {dtype} (use .to({dtype.ToString().ToLowerInvariant()})).");
        return answer;
    }

    /// <summary>A tensor's values as a float64 array (any dtype), for checks that compare with plain loops.</summary>
    public static double[] Values(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        using var scope = NewDisposeScope();
        return t.detach().cpu().to(float64).contiguous().data<double>().ToArray();
    }

    /// <summary>A number for messages: six significant digits, invariant culture.</summary>
    public static string Text(double v) => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A short text of a tensor's values for messages: all of them when few, else the count of zeros.</summary>
    public static string Describe(Tensor values)
    {
        using var scope = NewDisposeScope();
        var flat = values.detach().cpu().to(float32).flatten().data<float>().ToArray();
        return flat.Length <= 8 ? $"[{string.Join(", ", flat.Select(v => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))}]"
            : $"{flat.Count(v => v == 0)} zeros of {flat.Length}";
    }

    internal sealed class LearnerException : Exception
    {
        public LearnerException(string? caseName, Exception inner) : base(inner.Message, inner) => Where = caseName is null ? "" : $" on case '{caseName}'";
        private LearnerException(string message) : base(message) => Where = "";
        public string Where { get; }
        public static LearnerException Plain(string message) => new(message);
    }
}
