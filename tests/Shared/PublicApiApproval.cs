using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace TrainInsight.Testing;

/// <summary>
/// Lists an assembly's public API (types and their public/protected members) and compares it with an approved
/// listing checked in beside the test. A change to the public surface fails the test until the listing is
/// re-approved: run the tests with TRAININSIGHT_APPROVE_API=1, then review the diff of the .approved.txt file.
/// </summary>
internal static class PublicApiApproval
{
    public static void Verify(Assembly assembly, [CallerFilePath] string callerFile = "")
    {
        var directory = Path.GetDirectoryName(callerFile)!;
        var approvedPath = Path.Combine(directory, assembly.GetName().Name + ".approved.txt");
        var receivedPath = Path.ChangeExtension(approvedPath, null).Replace(".approved", ".received", StringComparison.Ordinal) + ".txt";
        var actual = Generate(assembly);
        if (Environment.GetEnvironmentVariable("TRAININSIGHT_APPROVE_API") == "1")
        {
            File.WriteAllText(approvedPath, actual);
        }

        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        if (approved == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual);
        var approvedLines = approved.Split('\n').ToHashSet(StringComparer.Ordinal);
        var actualLines = actual.Split('\n').ToHashSet(StringComparer.Ordinal);
        var diff = new StringBuilder();
        foreach (var line in actualLines.Where(l => !approvedLines.Contains(l)))
        {
            diff.Append("+ ").AppendLine(line);
        }

        foreach (var line in approvedLines.Where(l => !actualLines.Contains(l)))
        {
            diff.Append("- ").AppendLine(line);
        }

        throw new Xunit.Sdk.XunitException(
            $"The public API of {assembly.GetName().Name} differs from {approvedPath} (received listing: {receivedPath}).\n" +
            $"If the change is intended, re-run with TRAININSIGHT_APPROVE_API=1 and commit the listing.\n{diff}");
    }

    public static string Generate(Assembly assembly)
    {
        var builder = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            builder.Append(TypeKind(type)).Append(' ').Append(Name(type)).Append(BaseList(type)).Append('\n');
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(IsVisible)
                .Select(m => "  " + Describe(m))
                .Where(line => line.Length > 2)
                .OrderBy(line => line, StringComparer.Ordinal);
            foreach (var member in members)
            {
                builder.Append(member).Append('\n');
            }
        }

        return builder.ToString();
    }

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !(m is MethodInfo { IsSpecialName: true } && (m.Name.StartsWith("get_", StringComparison.Ordinal) || m.Name.StartsWith("set_", StringComparison.Ordinal) || m.Name.StartsWith("add_", StringComparison.Ordinal) || m.Name.StartsWith("remove_", StringComparison.Ordinal))),
        FieldInfo f => (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !f.IsSpecialName,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily),
        Type t => t.IsNestedPublic || t.IsNestedFamily,
        _ => false,
    };

    private static string Describe(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"{Access(c)}{(c.IsStatic ? "static " : string.Empty)}.ctor({Parameters(c)})",
        MethodInfo m => $"{Access(m)}{Modifiers(m)}{Name(m.ReturnType)} {m.Name}{GenericArguments(m)}({Parameters(m)})",
        PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ {string.Join(' ', p.GetAccessors(true).Where(a => a.IsPublic || a.IsFamily).Select(a => a.Name.StartsWith("get_", StringComparison.Ordinal) ? "get;" : IsInit(a) ? "init;" : "set;").Order(StringComparer.Ordinal))} }}",
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : string.Empty)}{(f.IsInitOnly ? "readonly " : string.Empty)}{Name(f.FieldType)} {f.Name}{(f.IsLiteral ? " = " + f.GetRawConstantValue() : string.Empty)}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type t => $"nested {TypeKind(t)} {t.Name}",
        _ => string.Empty,
    };

    private static bool IsInit(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");

    private static string Access(MethodBase method) => method.IsPublic ? string.Empty : "protected ";

    private static string Modifiers(MethodInfo method) =>
        method.IsStatic ? (method.IsDefined(typeof(ExtensionAttribute)) ? "static (extension) " : "static ")
        : method.IsAbstract && !method.DeclaringType!.IsInterface ? "abstract "
        : method.IsVirtual && !method.IsFinal && !method.DeclaringType!.IsInterface ? (method.GetBaseDefinition() != method ? "override " : "virtual ")
        : method.IsVirtual && method.GetBaseDefinition() != method ? "override " : string.Empty;

    private static string Parameters(MethodBase method) => string.Join(", ", method.GetParameters().Select(p =>
        $"{(p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : string.Empty)}{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + DefaultValue(p) : string.Empty)}"));

    private static string DefaultValue(ParameterInfo parameter) => parameter.DefaultValue switch
    {
        null => parameter.ParameterType.IsValueType ? "default" : "null",
        string text => "\"" + text + "\"",
        var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };

    private static string GenericArguments(MethodInfo method) =>
        method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;

    private static string TypeKind(Type type) =>
        type.IsInterface ? "interface"
        : type.IsEnum ? "enum"
        : type.IsValueType ? "struct"
        : typeof(Delegate).IsAssignableFrom(type) ? "delegate"
        : type.IsAbstract && type.IsSealed ? "static class"
        : type.IsAbstract ? "abstract class"
        : type.IsSealed ? "sealed class"
        : "class";

    private static string BaseList(Type type)
    {
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
        {
            bases.Add(Name(baseType));
        }

        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return bases.Count == 0 ? string.Empty : " : " + string.Join(", ", bases);
    }

    private static string Name(Type type)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!);
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        var name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : (type.Namespace is null ? type.Name : type.Namespace + "." + type.Name);
        if (!type.IsGenericType)
        {
            return name;
        }

        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}
