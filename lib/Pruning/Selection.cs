using PruningLab.Exercises;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>The ranking rules every pruning decision of the library goes through.</summary>
internal static class Selection
{
    /// <summary>
    /// Marks the <paramref name="count"/> lowest-scoring entries among those <paramref name="alive"/> (a bool vector).
    /// Dead entries rank last (score +∞), so they are never chosen again; among equal scores the earlier position
    /// goes first (stable sort), which makes every mask deterministic. Scores must be finite.
    /// </summary>
    public static Tensor Lowest(Tensor scores, Tensor alive, long count)
    {
        ReferenceUse.Note(ReferenceUse.Pruning);
        var chosen = zeros(scores.shape[0], dtype: @bool);
        if (count == 0) return chosen;
        var (_, order) = Ranked(scores, alive).sort(stable: true);
        chosen.index_put_(tensor(true), order.narrow(0, 0, count));
        return chosen;
    }

    /// <summary>
    /// The fewest lowest-scoring alive groups whose <paramref name="sizes"/> (weights each would newly prune) add up to
    /// at least <paramref name="weights"/>, in the order of <see cref="Lowest"/>: how a target counted in weights
    /// becomes a choice of groups (rows, kernels) of unequal or partly pruned sizes.
    /// </summary>
    public static Tensor LowestCovering(Tensor scores, Tensor alive, Tensor sizes, long weights)
    {
        ReferenceUse.Note(ReferenceUse.Pruning);
        if (weights <= 0) return zeros(scores.shape[0], dtype: @bool);
        var (_, order) = Ranked(scores, alive).sort(stable: true);
        var covered = sizes.index_select(0, order).to(float64).cumsum(0);
        // Groups needed: one more than the number of prefixes still short of the target (all alive ones at most).
        var needed = Math.Min(covered.lt(weights).sum().item<long>() + 1, alive.sum().item<long>());
        return Lowest(scores, alive, needed);
    }

    /// <summary>
    /// Like <see cref="Lowest"/>, but entry i belongs to layer <paramref name="layerOf"/>[i], and no layer gives more
    /// than <paramref name="room"/>[layer] entries: a layer at its cap is skipped and the next-lowest entry of another
    /// layer is taken. Fewer than <paramref name="count"/> are chosen only when every layer is at its cap.
    /// </summary>
    public static Tensor LowestCapped(Tensor scores, Tensor alive, long count, Tensor layerOf, long[] room)
    {
        ReferenceUse.Note(ReferenceUse.Pruning);
        var chosen = new bool[scores.shape[0]];
        var (_, order) = Ranked(scores, alive).sort(stable: true);
        var ranked = order.cpu().data<long>().ToArray();
        var layers = layerOf.cpu().data<long>().ToArray();
        var isAlive = alive.cpu().data<bool>().ToArray();
        var left = (long[])room.Clone();
        long taken = 0;
        foreach (var i in ranked)
        {
            if (taken == count || !isAlive[i]) break;
            if (left[layers[i]] == 0) continue;
            chosen[i] = true;
            left[layers[i]]--;
            taken++;
        }
        return tensor(chosen);
    }

    private static Tensor Ranked(Tensor scores, Tensor alive) => where(alive, scores, full_like(scores, double.PositiveInfinity));
}
