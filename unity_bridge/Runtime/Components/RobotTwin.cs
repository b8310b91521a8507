// Moves an avatar (the robot's virtual twin) to each `pose` the server relays.
using MuseumGuide.Protocol;
using UnityEngine;

namespace MuseumGuide
{
    /// <summary>Follows the real robot: eases this transform towards the latest `pose`.</summary>
    [AddComponentMenu("Museum Guide/Robot Twin")]
    public sealed class RobotTwin : MonoBehaviour
    {
        [SerializeField] GuideClient client;
        [Tooltip("Where the map frame's origin lies in the scene.")]
        [SerializeField] Transform mapOrigin;
        [Tooltip("How quickly the avatar catches up with a new pose (1/s).")]
        [SerializeField] float followRate = 8f;

        Vector3 target;
        Quaternion targetRotation = Quaternion.identity;
        bool hasPose;

        /// <summary>The last pose received, in the map frame.</summary>
        public Pose LastPose { get; private set; }

        void OnEnable() { if (client != null) client.MessageReceived += OnMessage; }
        void OnDisable() { if (client != null) client.MessageReceived -= OnMessage; }

        /// <summary>Connect to a client at run time (for scenes built in code).</summary>
        public void Bind(GuideClient guide)
        {
            if (client != null) client.MessageReceived -= OnMessage;
            client = guide;
            client.MessageReceived += OnMessage;
        }

        void OnMessage(GuideMessage message)
        {
            var pose = message as Pose;
            if (pose == null) return;
            LastPose = pose;
            Vector3 local = MapFrame.ToUnity(pose.x, pose.y);
            target = mapOrigin != null ? mapOrigin.position + mapOrigin.rotation * local : local;
            targetRotation = MapFrame.YawToUnity(pose.yaw);
            if (!hasPose) { transform.position = target; transform.rotation = targetRotation; }
            hasPose = true;
        }

        void Update()
        {
            if (!hasPose) return;
            float t = 1f - Mathf.Exp(-followRate * Time.deltaTime);
            transform.position = Vector3.Lerp(transform.position, target, t);
            transform.rotation = Quaternion.Slerp(transform.rotation, targetRotation, t);
        }
    }
}
