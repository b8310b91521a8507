// Marks where an exhibit stands in the scene, so panels can appear beside it.
using System.Collections.Generic;
using UnityEngine;

namespace MuseumGuide
{
    /// <summary>Put on an exhibit's object; `exhibitId` is its catalogue id.</summary>
    [AddComponentMenu("Museum Guide/Exhibit Anchor")]
    public sealed class ExhibitAnchor : MonoBehaviour
    {
        static readonly Dictionary<string, ExhibitAnchor> anchors = new Dictionary<string, ExhibitAnchor>();

        [SerializeField] public string exhibitId;
        [Tooltip("Where the panel floats, relative to this object.")]
        [SerializeField] public Vector3 panelOffset = new Vector3(0f, 1.6f, -0.6f);

        void OnEnable() { if (!string.IsNullOrEmpty(exhibitId)) anchors[exhibitId] = this; }
        void OnDisable() { ExhibitAnchor current; if (exhibitId != null && anchors.TryGetValue(exhibitId, out current) && current == this) anchors.Remove(exhibitId); }

        /// <summary>The anchor of an exhibit in the loaded scenes, or null.</summary>
        public static ExhibitAnchor Find(string id)
        {
            ExhibitAnchor anchor;
            return id != null && anchors.TryGetValue(id, out anchor) ? anchor : null;
        }
    }
}
