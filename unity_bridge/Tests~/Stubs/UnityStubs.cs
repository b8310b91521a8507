// Test-only stand-ins for the few UnityEngine / TMPro / UI types the package uses, so that
// CI can compile the package with mono's `mcs`. Never shipped: folders ending in `~` are
// ignored by Unity. Signatures follow Unity's; bodies do nothing useful.
using System;
using System.Collections.Generic;

namespace UnityEngine
{
    public class Object
    {
        public string name;
        public static void Destroy(Object obj) { }
        public static void DontDestroyOnLoad(Object obj) { }
        public static implicit operator bool(Object obj) { return !ReferenceEquals(obj, null); }
    }

    public class Component : Object
    {
        public Transform transform { get { return gameObject.transform; } }
        public GameObject gameObject { get; internal set; }
        public T GetComponent<T>() where T : Component { return gameObject.GetComponent<T>(); }
        public T GetComponentInChildren<T>() where T : Component { return null; }
    }

    public class Behaviour : Component
    {
        public bool enabled = true;
        public bool isActiveAndEnabled { get { return enabled; } }
    }
    public class MonoBehaviour : Behaviour { }

    public class Transform : Component
    {
        public Vector3 position;
        public Vector3 localPosition;
        public Quaternion rotation = Quaternion.identity;
        public Quaternion localRotation = Quaternion.identity;
        public Vector3 localScale = Vector3.one;
        public Transform parent;
        public Vector3 forward { get { return rotation * new Vector3(0, 0, 1); } }
        public void SetParent(Transform p, bool worldPositionStays) { parent = p; }
        public void SetParent(Transform p) { parent = p; }
        public void LookAt(Vector3 worldPosition) { }
    }

    public class RectTransform : Transform
    {
        public Vector2 sizeDelta;
        public Vector2 anchoredPosition;
    }

    public sealed class GameObject : Object
    {
        readonly List<Component> components = new List<Component>();
        public Transform transform;
        public GameObject(string name) { this.name = name; transform = AddComponent<Transform>(); }
        public GameObject() : this("GameObject") { }
        public T AddComponent<T>() where T : Component, new() { var c = new T(); c.gameObject = this; components.Add(c); return c; }
        public T GetComponent<T>() where T : Component { foreach (var c in components) if (c is T) return (T)c; return null; }
        public void SetActive(bool value) { }
        public static GameObject CreatePrimitive(PrimitiveType type) { return new GameObject(type.ToString()); }
    }

    public enum PrimitiveType { Sphere, Capsule, Cylinder, Cube, Plane, Quad }

    public struct Vector2
    {
        public float x, y;
        public Vector2(float x, float y) { this.x = x; this.y = y; }
    }

    public struct Vector3
    {
        public float x, y, z;
        public Vector3(float x, float y, float z) { this.x = x; this.y = y; this.z = z; }
        public static Vector3 zero { get { return new Vector3(0, 0, 0); } }
        public static Vector3 one { get { return new Vector3(1, 1, 1); } }
        public static Vector3 up { get { return new Vector3(0, 1, 0); } }
        public static Vector3 operator +(Vector3 a, Vector3 b) { return new Vector3(a.x + b.x, a.y + b.y, a.z + b.z); }
        public static Vector3 operator -(Vector3 a, Vector3 b) { return new Vector3(a.x - b.x, a.y - b.y, a.z - b.z); }
        public static Vector3 operator *(Vector3 a, float d) { return new Vector3(a.x * d, a.y * d, a.z * d); }
        public static Vector3 Lerp(Vector3 a, Vector3 b, float t) { return a + (b - a) * t; }
        public static float Distance(Vector3 a, Vector3 b) { var d = a - b; return (float)Math.Sqrt(d.x * d.x + d.y * d.y + d.z * d.z); }
    }

    public struct Quaternion
    {
        public float x, y, z, w;
        public Quaternion(float x, float y, float z, float w) { this.x = x; this.y = y; this.z = z; this.w = w; }
        public static Quaternion identity { get { return new Quaternion(0, 0, 0, 1); } }
        public static Quaternion Euler(float x, float y, float z) { return identity; }
        public static Quaternion Slerp(Quaternion a, Quaternion b, float t) { return b; }
        public static Quaternion LookRotation(Vector3 forward) { return identity; }
        public static Vector3 operator *(Quaternion q, Vector3 v) { return v; }
    }

    public struct Color
    {
        public float r, g, b, a;
        public Color(float r, float g, float b, float a = 1f) { this.r = r; this.g = g; this.b = b; this.a = a; }
        public static Color white { get { return new Color(1, 1, 1); } }
        public static Color green { get { return new Color(0, 1, 0); } }
        public static Color yellow { get { return new Color(1, 0.92f, 0.016f); } }
        public static Color red { get { return new Color(1, 0, 0); } }
    }

    public static class Mathf
    {
        public const float Rad2Deg = 57.29578f;
        public static float Clamp01(float v) { return v < 0 ? 0 : v > 1 ? 1 : v; }
        public static float Exp(float v) { return (float)Math.Exp(v); }
    }

    public static class Time { public static float deltaTime; public static float time; }

    public static class Debug
    {
        public static void Log(object message) { }
        public static void LogWarning(object message) { }
        public static void LogError(object message) { }
    }

    public static class Application { public static bool isPlaying; }

    public sealed class AudioClip : Object
    {
        public int samples;
        public int channels;
        public int frequency;
        public static AudioClip Create(string name, int lengthSamples, int channels, int frequency, bool stream)
        {
            return new AudioClip { name = name, samples = lengthSamples, channels = channels, frequency = frequency };
        }
    }

    public sealed class AudioSource : Behaviour
    {
        public AudioClip clip;
        public bool loop;
        public float volume = 1f;
        public bool isPlaying { get; private set; }
        public void Play() { isPlaying = true; }
        public void Stop() { isPlaying = false; }
    }

    public static class AudioSettings
    {
        public delegate void AudioConfigurationChangeHandler(bool deviceWasChanged);
        public static event AudioConfigurationChangeHandler OnAudioConfigurationChanged;
        public static int outputSampleRate = 48000;
    }

    [AttributeUsage(AttributeTargets.Field)] public sealed class SerializeField : Attribute { }
    [AttributeUsage(AttributeTargets.Field)] public sealed class HeaderAttribute : Attribute { public HeaderAttribute(string header) { } }
    [AttributeUsage(AttributeTargets.Field)] public sealed class TooltipAttribute : Attribute { public TooltipAttribute(string tooltip) { } }
    [AttributeUsage(AttributeTargets.Field)] public sealed class TextAreaAttribute : Attribute { public TextAreaAttribute() { } }
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true)] public sealed class RequireComponent : Attribute { public RequireComponent(Type t) { } }
    [AttributeUsage(AttributeTargets.Class)] public sealed class DisallowMultipleComponent : Attribute { }
    [AttributeUsage(AttributeTargets.Class)] public sealed class AddComponentMenu : Attribute { public AddComponentMenu(string menu) { } }
}

namespace UnityEngine.Events
{
    public delegate void UnityAction();
    public delegate void UnityAction<T0>(T0 arg0);

    public class UnityEvent
    {
        readonly List<UnityAction> calls = new List<UnityAction>();
        public void AddListener(UnityAction call) { calls.Add(call); }
        public void RemoveListener(UnityAction call) { calls.Remove(call); }
        public void Invoke() { foreach (var c in calls) c(); }
    }

    public class UnityEvent<T0>
    {
        readonly List<UnityAction<T0>> calls = new List<UnityAction<T0>>();
        public void AddListener(UnityAction<T0> call) { calls.Add(call); }
        public void Invoke(T0 arg) { foreach (var c in calls) c(arg); }
    }
}

namespace UnityEngine.UI
{
    public class Selectable : MonoBehaviour { public bool interactable = true; }

    public class Button : Selectable
    {
        public class ButtonClickedEvent : UnityEngine.Events.UnityEvent { }
        public ButtonClickedEvent onClick = new ButtonClickedEvent();
    }

    public class Toggle : Selectable
    {
        public class ToggleEvent : UnityEngine.Events.UnityEvent<bool> { }
        public ToggleEvent onValueChanged = new ToggleEvent();
        bool on = true;
        public bool isOn { get { return on; } set { if (on == value) return; on = value; onValueChanged.Invoke(value); } }
        public void SetIsOnWithoutNotify(bool value) { on = value; }
    }
}

namespace TMPro
{
    public enum TextAlignmentOptions { TopLeft, Top, Center, Left }

    public class TMP_Text : UnityEngine.MonoBehaviour
    {
        public string text;
        public float fontSize;
        public UnityEngine.Color color;
        public bool enableWordWrapping;
        public TextAlignmentOptions alignment;
        public UnityEngine.RectTransform rectTransform { get { return null; } }
    }

    public class TextMeshPro : TMP_Text { }
    public class TextMeshProUGUI : TMP_Text { }

    public class TMP_InputField : UnityEngine.UI.Selectable
    {
        public string text = "";
        public class SubmitEvent : UnityEngine.Events.UnityEvent<string> { }
        public SubmitEvent onSubmit = new SubmitEvent();
    }
}
