using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>
/// A criterion whose score of a group is not a sum of per-weight scores — Molchanov et al.'s (Σ g·w)², for instance,
/// squares a signed sum, so weights of opposite signs cancel. <see cref="ModelMasks.Prune"/> asks such a criterion for
/// the group scores directly instead of aggregating <see cref="IImportance.Score"/> with the granularity's aggregate.
/// </summary>
public interface IGroupImportance : IImportance
{
    /// <summary>One non-negative score per group of <paramref name="granularity"/>, in group order (float64).</summary>
    /// <param name="name">The parameter's name, e.g. <c>fc1.weight</c>.</param>
    /// <param name="weight">The parameter.</param>
    /// <param name="granularity">How the weight is grouped (<see cref="Granularity.Grouped"/>).</param>
    Tensor GroupScores(string name, Tensor weight, Granularity granularity);
}
