using System.Buffers.Binary;
using PruningLab.Runtime;

namespace PruningLab.Tests.Runtime;

public sealed class ElfVersionNeedsTests : IDisposable
{
    const string Cxx = "libstdc++.so.6";
    const string NewCxx = "GLIBCXX_3.4.32";

    readonly string _dir = Directory.CreateTempSubdirectory("elfneeds-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Read_ListsEveryNeedWithFlagsIndexAndUsage()
    {
        var needs = ElfVersionNeeds.Read(TinyElf.Typical().Build());

        Assert.Equal(
        [
            new VersionNeed(Cxx, "GLIBCXX_3.4", 0, 2, false, SymbolCount: 2, RelocationCount: 3),
            new VersionNeed(Cxx, NewCxx, 0, 3, false, SymbolCount: 1, RelocationCount: 0),
            new VersionNeed("libc.so.6", "GLIBC_2.34", 0, 4, false, SymbolCount: 1, RelocationCount: 1),
        ], needs);
    }

    [Fact]
    public void Read_CountsRelRelocationsAndReportsExistingWeakFlag()
    {
        var elf = TinyElf.Typical();
        elf.Needs[0] = new TinyElf.Need(Cxx, new TinyElf.Aux("GLIBCXX_3.4", 2, Flags: 0x2), new TinyElf.Aux(NewCxx, 3));
        elf.RelSymbols.AddRange([1, 3]);

        var needs = ElfVersionNeeds.Read(elf.Build());

        Assert.Equal(new VersionNeed(Cxx, "GLIBCXX_3.4", 0x2, 2, true, 2, 4), needs[0]);
        Assert.Equal(new VersionNeed(Cxx, NewCxx, 0, 3, false, 1, 1), needs[1]);
    }

    [Fact]
    public void Weaken_SetsOnlyTheWeakBitOfThatEntry()
    {
        var elf = TinyElf.Typical();
        var original = elf.Build();
        var edited = (byte[])original.Clone();
        int flagAt = elf.FlagOffsets[(Cxx, NewCxx)];

        Assert.True(ElfVersionNeeds.Weaken(edited, Cxx, NewCxx));

        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != edited[i]).ToList();
        Assert.All(changed, i => Assert.InRange(i, flagAt, flagAt + 1));
        Assert.Equal(0x2, BinaryPrimitives.ReadUInt16LittleEndian(edited.AsSpan(flagAt)));
        var need = Assert.Single(ElfVersionNeeds.Read(edited), n => n.Version == NewCxx);
        Assert.True(need.IsWeak);
        Assert.Equal(0x2, need.Flags);
        Assert.All(ElfVersionNeeds.Read(edited).Where(n => n.Version != NewCxx), n => Assert.False(n.IsWeak));
    }

    [Fact]
    public void Weaken_KeepsOtherFlagBits()
    {
        var elf = TinyElf.Typical();
        elf.Needs[0] = new TinyElf.Need(Cxx, new TinyElf.Aux("GLIBCXX_3.4", 2), new TinyElf.Aux(NewCxx, 3, Flags: 0x8000));
        var bytes = elf.Build();

        Assert.True(ElfVersionNeeds.Weaken(bytes, Cxx, NewCxx));

        Assert.Equal(0x8002, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(elf.FlagOffsets[(Cxx, NewCxx)])));
    }

    [Fact]
    public void Weaken_SecondCallIsANoOp()
    {
        var bytes = TinyElf.Typical().Build();
        Assert.True(ElfVersionNeeds.Weaken(bytes, Cxx, NewCxx));
        var once = (byte[])bytes.Clone();

        Assert.False(ElfVersionNeeds.Weaken(bytes, Cxx, NewCxx));

        Assert.Equal(once, bytes);
    }

    [Fact]
    public void Weaken_RefusesWhenARelocationUsesTheVersion()
    {
        var elf = TinyElf.Typical();
        elf.RelaSymbols.Add(1); // now _ZSt21ios_base_library_initv@GLIBCXX_3.4.32 is really bound
        var bytes = elf.Build();
        var before = (byte[])bytes.Clone();

        var ex = Assert.Throws<InvalidOperationException>(() => ElfVersionNeeds.Weaken(bytes, Cxx, NewCxx));

        Assert.Contains(NewCxx, ex.Message);
        Assert.Contains("1 relocation", ex.Message);
        Assert.Equal(before, bytes);
    }

    [Theory]
    [InlineData(Cxx, "GLIBCXX_3.4.99")]
    [InlineData("libm.so.6", NewCxx)]
    public void Weaken_MissingNeedNamesIt(string file, string version)
    {
        var bytes = TinyElf.Typical().Build();

        var ex = Assert.Throws<InvalidOperationException>(() => ElfVersionNeeds.Weaken(bytes, file, version));

        Assert.Contains($"'{version}'", ex.Message);
        Assert.Contains($"'{file}'", ex.Message);
    }

    [Fact]
    public void Corrupt_WrongMagic()
    {
        var bytes = TinyElf.Typical().Build();
        bytes[1] = (byte)'X';
        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(bytes));
        Assert.Contains("magic", ex.Message);
    }

    [Fact]
    public void Corrupt_32BitClass()
    {
        var bytes = TinyElf.Typical().Build();
        bytes[4] = 1;
        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(bytes));
        Assert.Contains("ELFCLASS32", ex.Message);
    }

    [Fact]
    public void Corrupt_BigEndian()
    {
        var bytes = TinyElf.Typical().Build();
        bytes[5] = 2;
        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(bytes));
        Assert.Contains("big-endian", ex.Message);
    }

    [Theory]
    [InlineData(0, "magic")]
    [InlineData(40, "64-byte ELF64 header")]
    [InlineData(-64, "section header table")] // cuts off the last section header
    public void Corrupt_TruncatedFile(int keep, string expected)
    {
        var bytes = TinyElf.Typical().Build();
        var cut = bytes[..(keep > 0 ? keep : keep == 0 ? 3 : bytes.Length + keep)];
        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(cut));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Corrupt_NoSectionHeaders()
    {
        var bytes = TinyElf.Typical().Build();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(0x28), 0);
        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(bytes));
        Assert.Contains("no section headers", ex.Message);
    }

    [Fact]
    public void Corrupt_SectionOffsetPastEnd()
    {
        var elf = TinyElf.Typical();
        var bytes = elf.Build();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(elf.SectionLayout[".gnu.version_r"].HeaderOffset + 0x18), (ulong)bytes.Length + 8);

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(bytes));

        Assert.Contains(".gnu.version_r", ex.Message);
        Assert.Contains("outside", ex.Message);
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Weaken(bytes, Cxx, NewCxx));
    }

    [Fact]
    public void Corrupt_VernauxChainPastSectionEnd()
    {
        var elf = TinyElf.Typical();
        var bytes = elf.Build();
        // vna_next of GLIBCXX_3.4 (at flags + 8) pointing far away.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(elf.FlagOffsets[(Cxx, "GLIBCXX_3.4")] + 8), 0x10000);

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(bytes));

        Assert.Contains("vna_next", ex.Message);
    }

    [Fact]
    public void WeakenFile_ReplacesAtomicallyAndKeepsMode()
    {
        var elf = TinyElf.Typical();
        var original = elf.Build();
        var path = Path.Combine(_dir, "libtiny.so");
        File.WriteAllBytes(path, original);
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherExecute;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);

        Assert.True(ElfVersionNeeds.WeakenFile(path, Cxx, NewCxx));

        var expected = (byte[])original.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(expected.AsSpan(elf.FlagOffsets[(Cxx, NewCxx)]), 0x2);
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
        if (!OperatingSystem.IsWindows()) Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    [Fact]
    public void WeakenFile_AlreadyWeakLeavesFileUntouched()
    {
        var path = Path.Combine(_dir, "libtiny.so");
        File.WriteAllBytes(path, TinyElf.Typical().Build());
        Assert.True(ElfVersionNeeds.WeakenFile(path, Cxx, NewCxx));
        var stamp = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);
        var bytes = File.ReadAllBytes(path);

        Assert.False(ElfVersionNeeds.WeakenFile(path, Cxx, NewCxx));

        Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void WeakenFile_RefusalLeavesFileAndDirectoryAlone()
    {
        var elf = TinyElf.Typical();
        elf.RelaSymbols.Add(1);
        var original = elf.Build();
        var path = Path.Combine(_dir, "libtiny.so");
        File.WriteAllBytes(path, original);

        Assert.Throws<InvalidOperationException>(() => ElfVersionNeeds.WeakenFile(path, Cxx, NewCxx));

        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void ReadDefinedVersions_ListsDefinitionsButNotTheSoname()
    {
        var elf = TinyElf.Typical();
        elf.Defines = ["GLIBCXX_3.4", "GLIBCXX_3.4.1", "GLIBCXX_3.4.30"];

        var defined = ElfVersionNeeds.ReadDefinedVersions(elf.Build());

        Assert.Equal(new HashSet<string> { "GLIBCXX_3.4", "GLIBCXX_3.4.1", "GLIBCXX_3.4.30" }, defined);
        Assert.Empty(ElfVersionNeeds.ReadDefinedVersions(TinyElf.Typical().Build()));
    }

    [SkippableFact]
    public void System_LibStdCxxDefinesGlibcxx34()
    {
        const string path = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        Skip.IfNot(File.Exists(path), "not a Debian/Ubuntu x86_64 system");

        var defined = ElfVersionNeeds.ReadDefinedVersions(path);

        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
        Assert.DoesNotContain("libstdc++.so.6", defined);
    }

    [SkippableFact]
    public void System_LibTorchSharpNeedsGlibcxx3432OnlyForAnUnrelocatedSymbol()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Skip.IfNot(File.Exists(path), "TorchSharp's natives are not in the NuGet cache here");

        var needs = ElfVersionNeeds.Read(path);

        // Read-only facts: the flag may already have been weakened on this machine.
        var need = Assert.Single(needs, n => n.File == Cxx && n.Version == NewCxx);
        Assert.Equal(1, need.SymbolCount);
        Assert.Equal(0, need.RelocationCount);
        Assert.Contains(needs, n => n.File == Cxx && n.Version == "GLIBCXX_3.4" && n.RelocationCount > 0);
    }
}
