namespace PruningLab.Exercises;

/// <summary>
/// Notices when a learner's answer calls the library's own implementation of the exercise. An exercise whose answer
/// is one public call teaches nothing, so the library's reference functions report their use here, and a check
/// that watches (see <see cref="ExerciseCheck.Learner{T}"/>) fails the answer with a message saying so.
/// </summary>
internal static class ReferenceUse
{
    public const string Pruning = "the library's magnitude ranking (MagnitudePruning, ModelMasks)";
    public const string Storage = "the library's storage sizes (SparseStorage)";
    public const string DeadNeurons = "the library's DeadNeurons.Remove";
    public const string Schedule = "the library's PolynomialSchedule";

    [ThreadStatic] private static HashSet<string>? noted;

    /// <summary>Records that <paramref name="what"/> ran, if a check is watching on this thread.</summary>
    public static void Note(string what) => noted?.Add(what);

    /// <summary>Runs <paramref name="call"/> and returns what it used of the library's references.</summary>
    public static (T Result, IReadOnlyCollection<string> Used) Watch<T>(Func<T> call)
    {
        var outer = noted;
        noted = [];
        try
        {
            var result = call();
            return (result, noted);
        }
        finally
        {
            noted = outer;
        }
    }
}
