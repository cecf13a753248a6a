using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Structured;

/// <summary>
/// Channel pruning (lesson 04): scores every group's channels, chooses the ones to keep, and either masks the others
/// (the model keeps its shape) or hands the choice to <see cref="ChannelSurgery.Shrink"/> (the model gets smaller).
/// </summary>
public static class ChannelPruning
{
    /// <summary>
    /// The channels each group keeps when it loses <c>round(fraction × channels)</c> of its lowest-scoring ones (the
    /// same fraction in every group, as in the lesson's "30 % of every conv layer"). Indices are in ascending order.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="fraction">The share of each group's channels to remove, in [0, 1).</param>
    /// <param name="criterion">The channel score; the L2 norm of the output filters if null.</param>
    /// <param name="coupling">The model's coupling; <see cref="ChannelCoupling.For"/> if null.</param>
    /// <param name="groups">The groups to prune (names of producers); all if empty.</param>
    /// <exception cref="ArgumentException">A fraction that would remove every channel of a group (named), or an unknown group.</exception>
    public static Dictionary<string, long[]> Select(nn.Module model, double fraction, IChannelImportance? criterion = null,
        ChannelCoupling? coupling = null, params string[] groups)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (double.IsNaN(fraction) || fraction < 0 || fraction > 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The share of channels to remove must be in [0, 1).");
        coupling ??= ChannelCoupling.For(model);
        criterion ??= ChannelImportance.OutputFilters();
        var chosen = groups.Length == 0 ? coupling.Groups : groups.Select(g => coupling[g]).ToList();
        var result = new Dictionary<string, long[]>();
        using var noGrad = no_grad();
        foreach (var group in chosen)
        {
            var channels = coupling.Channels[group.Name];
            var remove = (long)Math.Round(fraction * channels, MidpointRounding.ToEven);
            if (remove >= channels)
                throw new ArgumentException($"Removing {fraction:P0} of '{group.Name}' would remove all {channels} of its channels; a layer needs at least one. Choose a smaller fraction.", nameof(fraction));
            using var scope = NewDisposeScope();
            var scores = criterion.Score(model, group);
            if (scores.shape[0] != channels || !scores.isfinite().all().item<bool>())
                throw new ArgumentException($"The criterion {criterion} gave {scores.shape[0]} scores (or non-finite ones) for the {channels} channels of '{group.Name}'.");
            // Stable: among equal scores the earlier channel goes first, so the choice is deterministic.
            var (_, order) = scores.sort(stable: true);
            result[group.Name] = order.narrow(0, remove, channels - remove).sort().Values.data<long>().ToArray();
        }
        return result;
    }

    /// <summary>
    /// Silences the channels not in <paramref name="keep"/> in place, keeping every shape: their filters and biases
    /// become zero and, with <paramref name="batchNorm"/>, so do their BatchNorm's γ and β. Without it the channel is
    /// <b>not</b> silent: BatchNorm turns its zero into the constant β − γ·μ/√(σ² + ε), which the next layer still reads.
    /// With it the model computes what <see cref="ChannelSurgery.Shrink"/> computes.
    /// </summary>
    public static void Mask(nn.Module model, IReadOnlyDictionary<string, long[]> keep, bool batchNorm = true, ChannelCoupling? coupling = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(keep);
        coupling ??= ChannelCoupling.For(model);
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        using var noGrad = no_grad();
        foreach (var (name, kept) in keep)
        {
            var group = coupling[name];
            using var scope = NewDisposeScope();
            var channels = coupling.Channels[name];
            var silenced = ones(channels, dtype: float32).index_fill_(0, tensor(kept, dtype: int64), 0).nonzero().flatten();
            void Zero(Tensor? t) { if (t is not null) t.index_fill_(0, silenced, 0); }
            foreach (var (_, parameter) in modules[group.Producer].named_parameters()) Zero(parameter);
            if (batchNorm && group.BatchNorm is { } bn)
                foreach (var (_, parameter) in modules[bn].named_parameters()) Zero(parameter);
        }
    }

    /// <summary>The share of a model's parameters (weights, biases, BatchNorm) that <paramref name="keep"/> would remove.</summary>
    public static double RemovedShare(nn.Module<Tensor, Tensor> model, IReadOnlyDictionary<string, long[]> keep)
    {
        using var slim = ChannelSurgery.Shrink(model, keep);
        return 1 - slim.parameters().Sum(p => p.numel()) / (double)model.parameters().Sum(p => p.numel());
    }
}
