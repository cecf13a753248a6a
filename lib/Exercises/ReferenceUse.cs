namespace PruningLab.Exercises;

/// <summary>
/// Notices when a learner's answer calls the library's own implementation of the exercise. An exercise whose answer
/// is one public call teaches nothing, so the library's reference functions report their use here, and a check
/// that watches (see <see cref="ExerciseCheck.Learner{T}"/>) fails the answer with a message saying so. The constants
/// are public so that an instructor's own checks (hidden checks, for instance) can forbid the same calls.
/// </summary>
public static class ReferenceUse
{
    /// <summary>Magnitude ranking: <c>MagnitudePruning</c> and <c>ModelMasks</c>.</summary>
    public const string Pruning = "the library's magnitude ranking (MagnitudePruning, ModelMasks)";
    /// <summary>Storage sizes: <c>SparseStorage</c>.</summary>
    public const string Storage = "the library's storage sizes (SparseStorage)";
    /// <summary>Dead-neuron removal: <c>DeadNeurons.Remove</c>.</summary>
    public const string DeadNeurons = "the library's DeadNeurons.Remove";
    /// <summary>The gradual schedule: <c>PolynomialSchedule</c>.</summary>
    public const string Schedule = "the library's PolynomialSchedule";

    /// <summary>Group scores and N:M masks: <c>Granularity</c>, <c>NMSparsity</c>.</summary>
    public const string Granularity = "the library's granularities (Granularity, NMSparsity)";
    /// <summary>Channel scores: <c>ChannelImportance</c>.</summary>
    public const string ChannelImportance = "the library's channel importance (ChannelImportance)";
    /// <summary>Slicing layers: <c>ChannelSurgery</c>.</summary>
    public const string Surgery = "the library's channel surgery (ChannelSurgery)";

    /// <summary>OBD saliencies: <c>OptimalBrainDamage</c>.</summary>
    public const string Damage = "the library's Optimal Brain Damage (OptimalBrainDamage)";
    /// <summary>OBS saliencies, updates and downdates: <c>OptimalBrainSurgeon</c>.</summary>
    public const string Surgeon = "the library's Optimal Brain Surgeon (OptimalBrainSurgeon)";
    /// <summary>Linear quantization: <c>LinearQuantization</c>.</summary>
    public const string Quantize = "the library's linear quantization (LinearQuantization)";
    /// <summary>k-means weight sharing: <c>WeightSharing</c>.</summary>
    public const string Sharing = "the library's k-means weight sharing (WeightSharing)";
    /// <summary>Huffman code lengths: <c>Huffman</c>.</summary>
    public const string Huffman = "the library's Huffman coding (Huffman)";
    /// <summary>The capstone's reference compression: <c>Lesson09.Reference</c>.</summary>
    public const string Capstone = "the capstone's reference answer (Lesson09.Reference)";

    [ThreadStatic] private static HashSet<string>? noted;

    /// <summary>Records that <paramref name="what"/> ran, if a check is watching on this thread.</summary>
    internal static void Note(string what) => noted?.Add(what);

    /// <summary>Runs <paramref name="call"/> and returns what it used of the library's references.</summary>
    internal static (T Result, IReadOnlyCollection<string> Used) Watch<T>(Func<T> call)
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
