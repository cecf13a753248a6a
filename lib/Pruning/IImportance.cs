using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>
/// A pruning criterion: scores every weight of a parameter; the lowest scores are pruned first. Scores are
/// non-negative and summed over a group by <see cref="Granularity"/>, so a criterion defined per weight also
/// scores rows, kernels or channels. Later lessons add first-order Taylor and Hessian (OBD, OBS) criteria.
/// </summary>
public interface IImportance
{
    /// <summary>A tensor of the weight's shape holding each entry's importance (no gradient).</summary>
    /// <param name="name">The parameter's name, e.g. <c>fc1.weight</c>.</param>
    /// <param name="weight">The parameter.</param>
    Tensor Score(string name, Tensor weight);
}

/// <summary>The criteria of lessons 00–02.</summary>
public static class Importance
{
    /// <summary>|w|: the magnitude criterion (Han et al., 2015).</summary>
    public static IImportance Magnitude { get; } = new LpImportance(1);

    /// <summary>
    /// |w|^p per weight; summed over a group this ranks groups by their Lp norm (L1 for p = 1, L2 for p = 2; the
    /// final p-th root does not change the order). Li et al. (2017) prune filters by their L1 norm. At fine grain every
    /// p gives the same ranking as the magnitude, since |w|^p grows with |w|.
    /// </summary>
    public static IImportance Lp(double p) => new LpImportance(p);

    /// <summary>
    /// Uniform random scores, the baseline every criterion must beat: the same seed gives the same scores for the same
    /// layer every time (one generator per call, seeded from the seed and the layer's name).
    /// </summary>
    public static IImportance Random(int seed) => new RandomImportance(seed);

    /// <summary>Scores given as tensors by parameter name: the extension point for criteria computed elsewhere.</summary>
    public static IImportance FromTensors(IReadOnlyDictionary<string, Tensor> scores) => new GivenImportance(scores);

    // FNV-1a of the name, mixed with the seed: stable across runs and .NET versions (string.GetHashCode is not).
    internal static ulong GeneratorSeed(int seed, string name)
    {
        var hash = 14695981039346656037UL ^ (ulong)(uint)seed;
        foreach (var c in name) hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }

    private sealed record LpImportance : IImportance
    {
        public LpImportance(double p) =>
            P = p > 0 && double.IsFinite(p) ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "The norm's p must be a positive, finite number (1 for L1, 2 for L2).");
        public double P { get; }
        // In float64 for p ≠ 1: powers of nearby float32 values could round to equal scores and reorder ties.
        public Tensor Score(string name, Tensor weight) => P == 1 ? weight.detach().abs() : weight.detach().abs().to(float64).pow(P);
        public override string ToString() => P == 1 ? "magnitude |w|" : $"L{P} norm";
    }

    private sealed class RandomImportance(int seed) : IImportance
    {
        public Tensor Score(string name, Tensor weight)
        {
            using var generator = new Generator(GeneratorSeed(seed, name));
            return rand(weight.shape, generator: generator);
        }

        public override string ToString() => $"random (seed {seed})";
    }

    private sealed class GivenImportance(IReadOnlyDictionary<string, Tensor> scores) : IImportance
    {
        public Tensor Score(string name, Tensor weight)
        {
            if (!scores.TryGetValue(name, out var score))
                throw new KeyNotFoundException($"No importance scores for '{name}'; scores are given for: {string.Join(", ", scores.Keys)}.");
            if (!score.shape.SequenceEqual(weight.shape))
                throw new ArgumentException($"The scores for '{name}' have shape [{string.Join(",", score.shape)}] but the weight has [{string.Join(",", weight.shape)}].");
            return score.detach().alias();
        }
        public override string ToString() => "given scores";
    }
}
