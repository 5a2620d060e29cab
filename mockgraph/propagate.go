package mockgraph

import (
	"github.com/dicomreg/dicomreg/mockgraph/internal/propagation"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// roleEffective is RBAC propagation for ARM's own access checks: an assignment counts once the
// RBAC delay has passed since it was made.
func (s *Server) roleEffective(ra *tenant.RoleAssignment) bool {
	return s.prop.View().RoleEffective(ra.CreatedOn)
}

// dicomRoles is the DICOM service's access decision: the roles whose assignments have
// propagated, as of the decision the service cached for this principal and scope.
func (s *Server) dicomRoles(d *tenant.Directory, principal, scope string) []string {
	return s.prop.DICOMRoles(principal, scope, func(v propagation.View) []string {
		return d.EffectiveRolesWhere(principal, scope, func(ra *tenant.RoleAssignment) bool { return v.RoleEffective(ra.CreatedOn) })
	})
}
