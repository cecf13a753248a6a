using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>The one ranking rule every pruning decision of the library goes through.</summary>
internal static class Selection
{
    /// <summary>
    /// Marks the <paramref name="count"/> lowest-scoring entries among those <paramref name="alive"/> (a bool vector).
    /// Dead entries rank last (score +∞), so they are never chosen again; among equal scores the earlier position
    /// goes first (stable sort), which makes every mask deterministic.
    /// </summary>
    public static Tensor Lowest(Tensor scores, Tensor alive, long count)
    {
        var chosen = zeros(scores.shape[0], dtype: @bool);
        if (count == 0) return chosen;
        var ranked = where(alive, scores, full_like(scores, double.PositiveInfinity));
        var (_, order) = ranked.sort(stable: true);
        chosen.index_put_(tensor(true), order.narrow(0, 0, count));
        return chosen;
    }
}
