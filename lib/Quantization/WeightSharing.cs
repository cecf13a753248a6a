using PruningLab.Exercises;
using static TorchSharp.torch;

namespace PruningLab.Quantization;

/// <summary>
/// k-means weight sharing (Han, Mao &amp; Dally, Deep Compression, 2016): the surviving weights of a layer are grouped
/// into a few clusters, and every weight is replaced by its cluster's centroid, so a weight is stored as a short
/// cluster index plus one shared codebook. Only the survivors are clustered; zeros stay zero with code 0.
/// </summary>
public static class WeightSharing
{
    /// <summary>
    /// Clusters the non-zero weights of <paramref name="weight"/> into <paramref name="clusters"/> centroids by Lloyd's
    /// algorithm in one dimension, from the linear initialisation Deep Compression found best (centroids evenly spaced
    /// between the smallest and the largest survivor, so the rare large weights keep centroids of their own).
    /// </summary>
    /// <param name="weight">The (pruned) weight; exact zeros are not clustered.</param>
    /// <param name="clusters">Centroids (≥ 1). Codes are 1…clusters, 0 for zero: a fixed-width code takes
    /// ⌈log2(clusters + 1)⌉ bits, so 2^b − 1 centroids fit in b bits.</param>
    /// <param name="maxIterations">Lloyd iterations at most; it stops earlier when no weight changes cluster.</param>
    /// <exception cref="ArgumentException">NaN or infinite weights, fewer than 1 cluster.</exception>
    public static QuantizedWeight Cluster(Tensor weight, int clusters, int maxIterations = 100)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentOutOfRangeException.ThrowIfLessThan(clusters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        ReferenceUse.Note(ReferenceUse.Sharing);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = weight.detach().to(float32).cpu();
        if (!w.isfinite().all().item<bool>())
            throw new ArgumentException("The weight contains NaN or infinite values; cluster a finite tensor.", nameof(weight));
        var flat = w.flatten();
        var survivors = flat.ne(0);
        var values = flat.masked_select(survivors).to(float64);
        var centroids = LinearInitialisation(values, clusters);
        var assignment = values.numel() == 0 ? zeros(0, int64) : Assign(values, centroids);
        for (var iteration = 0; iteration < maxIterations && values.numel() > 0; iteration++)
        {
            centroids = Update(values, assignment, centroids);
            var next = Assign(values, centroids);
            var changed = next.ne(assignment).any().item<bool>();
            assignment = next;
            if (!changed) break;
        }
        centroids = Update(values, assignment, centroids);
        var codes = zeros(flat.numel(), int64);
        codes.masked_scatter_(survivors, assignment + 1);
        return FromCodes(codes.reshape(w.shape), centroids.to(float32), $"k-means, {clusters} centroid{(clusters == 1 ? "" : "s")}");
    }

    /// <summary>
    /// A shared-weight tensor from codes (0 = zero, 1…k = centroid) and a codebook of k centroids: values are
    /// codebook[code − 1], zero for code 0. The codebook costs k fp32 numbers.
    /// </summary>
    public static QuantizedWeight FromCodes(Tensor codes, Tensor codebook, string scheme)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(codebook);
        using var scope = NewDisposeScope();
        var k = codebook.numel();
        var table = cat([zeros(1, float32), codebook.detach().to(float32).cpu().flatten()]);
        var values = table.index_select(0, codes.flatten()).reshape(codes.shape);
        return new QuantizedWeight(codes.clone(), values, (int)k + 1, k * 32, scheme);
    }

    /// <summary>
    /// The values a weight tensor already shares, read back as codes and a codebook: code 0 for its exact zeros, codes
    /// 1…d for its d distinct non-zero values in increasing order, the codebook d fp32 numbers. This is how a stored
    /// network is counted from its weights alone, whatever made them: k-means weights give their own codebook back,
    /// linear ones per tensor one entry per level in use (per channel, one per row and level: more than their scales
    /// cost), unquantized ones a codebook larger than the weights themselves.
    /// </summary>
    public static QuantizedWeight Tabulate(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = NewDisposeScope();
        var values = weight.detach().cpu().to(float32).contiguous().flatten().data<float>().ToArray();
        var distinct = values.Where(v => v != 0).Distinct().Order().ToArray();
        if (distinct.Length == 0) distinct = [0f];   // all zero: one unused entry keeps the alphabet valid
        var code = distinct.Select((v, i) => (v, i)).ToDictionary(x => x.v, x => (long)x.i + 1);
        var codes = tensor(values.Select(v => v == 0 ? 0L : code[v]).ToArray()).reshape(weight.shape);
        return FromCodes(codes, tensor(distinct), "the values it holds, tabulated");
    }

    /// <summary>The codebook of a shared-weight tensor: the value of each code 1…Levels − 1 (the mean of its weights; 0 if unused).</summary>
    public static Tensor Codebook(QuantizedWeight shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        using var scope = NewDisposeScope();
        var codes = shared.Codes.flatten();
        return MeansByCode(shared.Values.flatten(), codes, Counts(codes, shared.Levels))
            .narrow(0, 1, shared.Levels - 1).to(float32).DetachFromDisposeScope();
    }

    /// <summary>How many weights hold each code 0 … <paramref name="levels"/> − 1 (float64, for <see cref="MeansByCode"/>).</summary>
    internal static Tensor Counts(Tensor flatCodes, int levels) => bincount(flatCodes, minlength: levels).to(float64);

    /// <summary>The mean of <paramref name="values"/> per code (float64; 0 for a code no weight holds).</summary>
    internal static Tensor MeansByCode(Tensor values, Tensor flatCodes, Tensor counts)
    {
        var sums = zeros(counts.shape[0], float64, values.device).index_add_(0, flatCodes, values.detach().flatten().to(float64), 1);
        return sums / counts.clamp_min(1);
    }

    // Evenly spaced between the smallest and the largest survivor (a single centroid sits at their mean).
    private static Tensor LinearInitialisation(Tensor values, int clusters)
    {
        if (values.numel() == 0) return zeros(clusters, float64);
        if (clusters == 1) return values.mean().reshape(1);
        return linspace(values.min().item<double>(), values.max().item<double>(), clusters, dtype: float64);
    }

    // In one dimension the nearest centroid is found by the midpoints between sorted centroids.
    private static Tensor Assign(Tensor values, Tensor centroids)
    {
        var (sorted, order) = centroids.sort();
        if (centroids.numel() == 1) return zeros(values.numel(), int64);
        var boundaries = (sorted.narrow(0, 0, sorted.numel() - 1) + sorted.narrow(0, 1, sorted.numel() - 1)) / 2;
        return order.index_select(0, bucketize(values, boundaries.contiguous()));
    }

    // The mean of each cluster; an empty cluster keeps its centroid.
    private static Tensor Update(Tensor values, Tensor assignment, Tensor centroids)
    {
        var k = centroids.numel();
        var sums = zeros(k, float64).index_add_(0, assignment, values, 1);
        var counts = bincount(assignment, minlength: k).to(float64);
        return where(counts.gt(0), sums / counts.clamp_min(1), centroids);
    }
}
