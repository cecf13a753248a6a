using System.Collections;

namespace PruningLab.Training;

/// <summary>The per-epoch results of a training run, in order.</summary>
public sealed class TrainingHistory : IReadOnlyList<EpochResult>
{
    private readonly List<EpochResult> epochs = [];

    /// <summary>Creates an empty history (or one holding <paramref name="results"/>).</summary>
    public TrainingHistory(IEnumerable<EpochResult>? results = null)
    {
        if (results is not null) epochs.AddRange(results);
    }

    /// <summary>Appends one epoch's result.</summary>
    public void Add(EpochResult result) => epochs.Add(result);

    /// <summary>The last epoch's result, or null before the first epoch.</summary>
    public EpochResult? Last => epochs.Count == 0 ? null : epochs[^1];

    /// <inheritdoc/>
    public EpochResult this[int index] => epochs[index];
    /// <inheritdoc/>
    public int Count => epochs.Count;
    /// <inheritdoc/>
    public IEnumerator<EpochResult> GetEnumerator() => epochs.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
