// ROS map frame <-> Unity world frame.
//
// ROS (REP 103): right-handed, x forward, y left, z up; yaw counter-clockwise from +x.
// Unity: left-handed, x right, y up, z forward; a positive rotation about +y turns clockwise
// seen from above. The same point is therefore
//     unity.x = -ros.y,   unity.y = ros.z,   unity.z = ros.x
// and a heading yaw (radians, CCW from ros +x) is a rotation about Unity's +y of
//     -yaw in degrees,
// so ROS forward (cos yaw, sin yaw, 0) maps to Unity forward (-sin yaw, 0, cos yaw).
using UnityEngine;

namespace MuseumGuide
{
    /// <summary>Converts poses from the museum's ROS map frame into Unity's world frame.</summary>
    public static class MapFrame
    {
        /// <summary>A map point (metres) as a Unity position; `height` is ros z.</summary>
        public static Vector3 ToUnity(double x, double y, double height = 0)
        {
            return new Vector3((float)-y, (float)height, (float)x);
        }

        /// <summary>A map heading (radians, CCW from +x) as a rotation about Unity's y axis.</summary>
        public static Quaternion YawToUnity(double yaw)
        {
            return Quaternion.Euler(0f, (float)(-yaw * Mathf.Rad2Deg), 0f);
        }

        /// <summary>A Unity position back into the map frame's (x, y).</summary>
        public static void ToMap(Vector3 position, out double x, out double y)
        {
            x = position.z;
            y = -position.x;
        }
    }
}
