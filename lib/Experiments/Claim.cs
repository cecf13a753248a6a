namespace PruningLab.Experiments;

/// <summary>
/// A sentence of a lesson's prose checked against the measurement it rests on: the cell prints ✓ or ✗ with the
/// measured values, so that a conclusion that no longer follows from the numbers shows up (and fails the lesson's
/// test) instead of being read as true.
/// </summary>
public static class Claim
{
    /// <summary>Prints "✓ statement (measured)" if <paramref name="holds"/>, else "✗ …"; returns <paramref name="holds"/>.</summary>
    public static bool Check(string statement, bool holds, string measured)
    {
        Console.WriteLine($"{(holds ? "✓" : "✗")} {statement} — measured: {measured}.");
        return holds;
    }
}

/// <summary>The measurements a lesson makes live for one seed, printed as they come and compared with the stored ones at the end.</summary>
public sealed class LiveRuns(Data.CourseData data, int seed)
{
    private readonly List<Measurement> rows = [];

    /// <summary>What was measured so far.</summary>
    public IReadOnlyList<Measurement> Rows => rows;

    /// <summary>Measures <paramref name="run"/> under <paramref name="method"/> at <paramref name="setting"/>, prints and keeps it.</summary>
    public Measurement Add(string method, double setting, Training.TrainedRun run, double epochs) =>
        Add(RetrainingStudy.Measure(method, setting, seed, run, data, epochs));

    /// <summary>Keeps and prints a measurement made elsewhere.</summary>
    public Measurement Add(Measurement row)
    {
        ArgumentNullException.ThrowIfNull(row);
        rows.Add(row);
        Console.WriteLine($"{row.Method} at {row.Setting}: validation {row.Validation:P2}, test {row.Test:P2}, sparsity {row.Sparsity:P1}");
        return row;
    }
}
